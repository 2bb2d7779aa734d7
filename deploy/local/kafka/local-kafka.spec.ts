import { LocalKafkaCluster, localReplication, newClusterId } from './local-kafka';

describe('newClusterId', () => {
  it('gives 22-character base64url ids that never start with "-" (the storage tool would take it for an option)', () => {
    // one random id in 64 starts with '-': 10,000 draws meet such ids unless they are avoided
    const ids = Array.from({ length: 10_000 }, () => newClusterId());
    expect(ids.filter((id) => id.startsWith('-'))).toEqual([]);
    expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('LocalKafkaCluster', () => {
  it('gives each of three nodes its own ports and data directory, one quorum and three replicas with two in sync', () => {
    const cluster = new LocalKafkaCluster({ nodes: 3, port: 19092, dataDir: '/tmp/lienthong-spec-kafka' });
    expect(cluster.nodes.map((node) => [node.nodeId, node.port, node.controllerPort, node.dataDir])).toEqual([
      [1, 19092, 19093, '/tmp/lienthong-spec-kafka/cluster-3/node-1'],
      [2, 19094, 19095, '/tmp/lienthong-spec-kafka/cluster-3/node-2'],
      [3, 19096, 19097, '/tmp/lienthong-spec-kafka/cluster-3/node-3'],
    ]);
    expect(cluster.brokers).toBe('127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096');
    expect(cluster.replication).toEqual({ factor: 3, minInsyncReplicas: 2 });
    expect(cluster.node(2)).toBe(cluster.nodes[1]);
    expect(() => cluster.node(4)).toThrow(/no node 4/);
  });

  it('keeps a lone broker where it always was: the data directory itself, controller on the next port', () => {
    const cluster = new LocalKafkaCluster({ port: 19092, dataDir: '/tmp/lienthong-spec-kafka' });
    expect(cluster.nodes.map((node) => [node.nodeId, node.port, node.controllerPort, node.dataDir])).toEqual([
      [1, 19092, 19093, '/tmp/lienthong-spec-kafka'],
    ]);
    expect(cluster.replication).toEqual({ factor: 1, minInsyncReplicas: 1 });
  });

  it('replicates as the node count allows', () => {
    expect([1, 2, 3, 5].map(localReplication)).toEqual([
      { factor: 1, minInsyncReplicas: 1 },
      { factor: 2, minInsyncReplicas: 1 },
      { factor: 3, minInsyncReplicas: 2 },
      { factor: 3, minInsyncReplicas: 2 },
    ]);
  });
});
