import mongoose, { Connection, Model, Types } from 'mongoose';
import { MongooseCollectionStore } from '../src/common/persistence/mongoose-collection-store';
import { TeacherRecord, TeacherSchema } from '../src/teacher/persistence/teacher.schema';
import { TcpProxy } from './support/tcp-proxy';

/**
 * The read by id against a real server: the single-batch `find` command it sends answers the record exactly as the
 * driver's findOne does, and a connection that breaks under a read is retried on a new one, as the driver retries.
 */
describe('MongooseCollectionStore.findById against a real database', () => {
  let proxy: TcpProxy;
  let connection: Connection;
  let teachers: Model<TeacherRecord>;
  let store: MongooseCollectionStore<TeacherRecord>;
  const id = new Types.ObjectId();
  const record = {
    _id: id,
    firstName: 'Ada',
    lastName: 'Byron',
    email: 'ada.byron@store-reads.test',
    phone: '+44 20 7946 0001',
    schoolId: new Types.ObjectId(),
    subjects: ['mathematics', 'physics'],
    status: 'active',
    hiredAt: new Date('2001-09-01T08:00:00.000Z'),
    createdAt: new Date('2025-01-02T03:04:05.678Z'),
    updatedAt: new Date('2026-11-30T09:10:11.123Z'),
  };

  beforeAll(async () => {
    const target = process.env.TEST_MONGODB_URI;
    if (!target) throw new Error('TEST_MONGODB_URI is not set: run the e2e tests through npm test');
    proxy = await TcpProxy.forMongodbUri(target);
    connection = await mongoose
      .createConnection(proxy.uri, { dbName: `store_reads_${process.pid}`, serverSelectionTimeoutMS: 5000 })
      .asPromise();
    teachers = connection.model(TeacherRecord.name, TeacherSchema, 'teachers');
    store = new MongooseCollectionStore(teachers, 'teacher', 5000);
    await teachers.collection.insertOne(record);
  });

  afterAll(async () => {
    await connection?.dropDatabase().catch(() => undefined);
    await connection?.close();
    await proxy?.close();
  });

  it('answers the record as findOne does: ObjectIds, dates and arrays alike', async () => {
    const expected = await teachers.collection.findOne({ _id: id });
    const answered = await store.findById(id.toHexString());
    expect(answered).toEqual(expected);
    expect(answered?._id).toBeInstanceOf(Types.ObjectId);
    expect((answered as unknown as typeof record).schoolId).toBeInstanceOf(Types.ObjectId);
    expect((answered as unknown as typeof record).updatedAt).toEqual(record.updatedAt);
    // Hex digits in capitals name the same record.
    expect(await store.findById(id.toHexString().toUpperCase())).toEqual(expected);
  });

  it('answers undefined for an id nobody holds, and refuses what is not an id', async () => {
    expect(await store.findById(new Types.ObjectId().toHexString())).toBeUndefined();
    await expect(store.findById('not-an-id')).rejects.toThrow(/Cast to ObjectId failed/);
  });

  it('retries a read whose connection breaks on a new connection, as the driver does', async () => {
    // Every chunk is held 300 ms: the read is in flight when its connection is reset.
    proxy.delay(300);
    const reading = store.findById(id.toHexString());
    await new Promise((resolve) => setTimeout(resolve, 100));
    proxy.cut();
    proxy.restore();
    await expect(reading).resolves.toMatchObject({ _id: id, lastName: 'Byron' });
  });

  it('fails as other reads do once the connection is closed', async () => {
    const closed = await mongoose
      .createConnection(proxy.uri, { dbName: `store_reads_${process.pid}`, serverSelectionTimeoutMS: 5000 })
      .asPromise();
    const closedStore = new MongooseCollectionStore(
      closed.model(TeacherRecord.name, TeacherSchema, 'teachers'),
      'teacher',
      5000,
    );
    await closed.close();
    await expect(closedStore.findById(id.toHexString())).rejects.toThrow(
      /closed|not connected|Client must be connected/i,
    );
  });
});
