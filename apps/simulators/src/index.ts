/**
 * The simulators' one public entry (`@lienthong/simulators`): what the CLI's `sim` command, the local
 * launcher and test suites may use of them. Everything else under apps/simulators is the simulators' own.
 */
export * from './business-registry';
export * from './feedback';
export * from './land';
export * from './population';
export * from './portal';
export { startSimulators } from './bootstrap';
export * from './lookup-samples';
