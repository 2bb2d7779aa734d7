/**
 * The P2 baseline of `npm run bench -- lookups`: a bare NestJS-on-Fastify route that echoes a small JSON body,
 * in its own process like the gateway. Listens on ECHO_PORT and prints nothing.
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';

@Controller()
class EchoController {
  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: unknown): unknown {
    return { echo: body, at: new Date().toISOString() };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(EchoModule, new FastifyAdapter(), {
    logger: false,
  });
  await app.listen(Number(process.env.ECHO_PORT ?? 0), '127.0.0.1');
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}

void main();
