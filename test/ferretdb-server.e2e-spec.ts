import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { FerretdbServer } from '../src/database/ferretdb-server';

/** Writes one record into the server, then reads the count of records back. */
async function insertAndCount(server: FerretdbServer): Promise<number> {
  const client = new mongoose.mongo.MongoClient(server.uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    await client.connect();
    const records = client.db('ferretdb_server').collection('records');
    await records.insertOne({ at: new Date() });
    return await records.countDocuments();
  } finally {
    await client.close();
  }
}

describe(FerretdbServer.name, () => {
  const started: FerretdbServer[] = [];
  const dirs: string[] = [];

  afterAll(async () => {
    await Promise.all(started.map((server) => server.stop()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('removes the temporary data directory it made when stopped', async () => {
    const server = await FerretdbServer.start();
    started.push(server);
    expect(await insertAndCount(server)).toBe(1);
    expect(existsSync(server.dataDir)).toBe(true);

    await server.stop();
    expect(existsSync(server.dataDir)).toBe(false);
  });

  it('keeps its data across a kill and a restart, and keeps a data directory it was given after stopping', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ferretdb-given-'));
    dirs.push(dataDir);
    const server = await FerretdbServer.start({ dataDir });
    started.push(server);
    expect(await insertAndCount(server)).toBe(1);

    await server.kill();
    await server.restart();
    expect(await insertAndCount(server)).toBe(2);

    await server.stop();
    expect(existsSync(dataDir)).toBe(true);
    const again = await FerretdbServer.start({ dataDir });
    started.push(again);
    expect(await insertAndCount(again)).toBe(3);
  });
});
