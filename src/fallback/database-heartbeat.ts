import { connect } from 'node:net';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { type Connection, ConnectionStates, mongo } from 'mongoose';
import { AppConfig } from '../config/app-config';
import { DatabaseCircuit } from './database-circuit';
import { describeFailure, isDatabaseFailure, isRefusal } from './database-failure';
import { OperationDeadlines } from './operation-deadlines';

/** Requests "flow" while one started this recently: the heartbeat beats then, and rests when the service is idle. */
const FLOWING_MS = 2000;
/** How long a ping may take until its round trip is learned (a network slower than the floor is not a stall). */
const UNLEARNED_TIMEOUT_MS = 500;
const PING = 'ping';
/** A timer this late means the event loop was blocked, not that the database was quiet. */
const LATE_TIMER_MS = 25;

/** The driver's event when it closes one of its connections: `error` when the connection broke (closed or reset). */
interface ConnectionClosedEvent {
  reason: string;
  address: string;
}

/** `host:port`, `[ipv6]:port` or a Unix socket path, as the driver names a server, as `net.connect` takes it. */
export function connectOptionsOf(address: string): { host: string; port: number } | { path: string } | undefined {
  if (address.startsWith('/')) return { path: address };
  const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address);
  return match ? { host: match[1], port: Number(match[2]) } : undefined;
}

interface Ping {
  sentAt: number;
  /** Declared missed already (a stall is declared once per ping). */
  missed: boolean;
  /** Sent while the breaker was open (a recovery probe). */
  probing: boolean;
}

/**
 * Tells a stalled database from a slow one, apart from the operations themselves: a `ping` on a connection of its
 * own (so it never queues behind slow queries) every FALLBACK_HEARTBEAT_INTERVAL_MS while requests flow, and at once
 * when a read passes its learned deadline (`check`). A ping unanswered within FALLBACK_HEARTBEAT_TIMEOUT_MS while no
 * database operation is answered either means the database is stalled (a hung process, a dead network): the breaker
 * opens at once and the operations in flight are answered from the fallback tiers. A refused connection opens it too:
 * when the database breaks a connection of the service's or of the heartbeat's (a killed process closes them all), the
 * heartbeat tries to connect to that address at once, and a refusal (nothing listens there any more) is a stall now,
 * not after the ping's timeout (the driver itself waits for a server to select until its own timeout).
 * While the breaker is open the heartbeat is the only probe (no user request is ever one): its first answer closes it.
 */
@Injectable()
export class DatabaseHeartbeat implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Heartbeat');
  private client?: mongo.MongoClient;
  private timer?: NodeJS.Timeout;
  private outstanding?: Ping;
  private stopped = false;
  /** A connection attempt to the database's address is out: one at a time. */
  private checkingAddress = false;
  /** The clients whose broken connections are watched (the service's, the heartbeat's). */
  private readonly watched = new WeakSet<mongo.MongoClient>();
  /** Pings sent and missed, and the last round trip: for /health and /metrics. */
  readonly stats = { sent: 0, missed: 0, lastRoundTripMs: undefined as number | undefined, timeoutMs: 0 };
  /**
   * A ping's timeout is learned like an operation's deadline, from the round trips of the pings before it, with
   * FALLBACK_HEARTBEAT_TIMEOUT_MS as its floor: a network that is slow all the time is not a stall.
   */
  private readonly roundTrips: OperationDeadlines;

  constructor(
    private readonly circuit: DatabaseCircuit,
    private readonly config: AppConfig,
    @InjectConnection() connection: Connection,
  ) {
    // The service's own connection closing is the end: the heartbeat's client leaves with it (an embedded database
    // stopping right after waits for every client to leave).
    connection.once('close', () => void this.onModuleDestroy());
    connection.on('connected', () => this.watch(connection.getClient()));
    if (connection.readyState === ConnectionStates.connected) this.watch(connection.getClient());
    const { deadlineMultiple, heartbeatTimeoutMs, operationTimeoutMs } = config.fallback;
    // The median, not a high percentile: one slow ping (a backlog after a hang, a busy moment) must not make the
    // next stall take seconds to find; a network or a database that is slow all the time (a saturated machine) moves
    // the median, within a few seconds (the last 32 pings).
    this.roundTrips = new OperationDeadlines({
      multiple: deadlineMultiple,
      floorMs: heartbeatTimeoutMs,
      ceilingMs: operationTimeoutMs,
      unlearnedMs: Math.max(heartbeatTimeoutMs, UNLEARNED_TIMEOUT_MS),
      percentile: 0.5,
      window: 32,
    });
    this.stats.timeoutMs = this.roundTrips.deadlineMs(PING);
  }

  onApplicationBootstrap(): void {
    const { enabled, breakerEnabled, heartbeatIntervalMs } = this.config.fallback;
    if (!enabled || !breakerEnabled) return;
    this.timer = setInterval(() => this.beat(), heartbeatIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.close(true).catch(() => undefined);
  }

  /** A read is past its deadline: ping now (unless a ping is out already), to know soon whether the database is there. */
  check(): void {
    if (!this.outstanding) this.send();
  }

  private beat(): void {
    if (this.circuit.drilling || this.stopped) return;
    const flowing = performance.now() - this.circuit.lastStartedAt < FLOWING_MS;
    if (this.circuit.open || flowing || this.circuit.inFlight > 0) this.check();
  }

  private send(): void {
    const uri = this.config.database.uri;
    if (this.stopped || !uri || this.circuit.drilling) return;
    // A ping sent while the breaker is open probes a database that may be working through a backlog: its round trip
    // teaches nothing about the healthy network.
    const ping: Ping = { sentAt: performance.now(), missed: false, probing: this.circuit.open };
    this.outstanding = ping;
    this.stats.sent++;
    const timeout = this.checkAfter(ping, this.roundTrips.deadlineMs(PING));
    this.connection(uri)
      .db(this.config.database.name)
      .command({ ping: 1 })
      .then(
        () => {
          // A late ping teaches the round trip too, so a network that became slower raises the timeout; one that
          // comes back after a hang (SIGCONT) measures the hang, and teaches nothing.
          const roundTripMs = performance.now() - ping.sentAt;
          if (!ping.probing && (!ping.missed || roundTripMs < UNLEARNED_TIMEOUT_MS)) {
            this.roundTrips.observe(PING, roundTripMs);
          }
          this.stats.lastRoundTripMs = Math.round(roundTripMs * 10) / 10;
          this.stats.timeoutMs = Math.round(this.roundTrips.deadlineMs(PING));
          this.circuit.probeSucceeded();
        },
        (error: unknown) => {
          // Closing its own client at shutdown fails the ping in flight: that says nothing of the database.
          if (this.stopped) return;
          // A client whose first connection failed stays closed for good: the next ping gets a new one.
          const name = (error as Error | undefined)?.name;
          if (name === 'MongoTopologyClosedError' || name === 'MongoServerSelectionError') this.discardClient();
          // A trivial command on a connection of its own that fails (refused, reset, no server to select) says the
          // database is not there: news now, while the breaker is closed.
          if (isDatabaseFailure(error)) {
            if (!this.circuit.open) this.circuit.stalled(`heartbeat: ${describeFailure(error)}`);
          } else {
            this.logger.warn(`Heartbeat ping failed: ${describeFailure(error)}`);
          }
        },
      )
      .finally(() => {
        clearTimeout(timeout);
        if (this.outstanding === ping) this.outstanding = undefined;
      });
  }

  /**
   * The ping is late. Checked after the I/O waiting now has been handled (setImmediate): a busy event loop can fire
   * the timer before it reads an answer that already arrived. Not a stall while the database answers other operations.
   */
  private checkAfter(ping: Ping, ms: number): NodeJS.Timeout {
    const dueAt = performance.now() + ms;
    return setTimeout(() => this.overdue(ping, dueAt), ms).unref();
  }

  private overdue(ping: Ping, dueAt: number): void {
    setImmediate(() => {
      if (this.outstanding !== ping || ping.missed || this.circuit.open) return;
      const now = performance.now();
      const timeoutMs = this.roundTrips.deadlineMs(PING);
      // The timer fired late: this process was busy (a long task, a collection), and answers may be waiting to be
      // read. Its own pause says nothing of the database: judge a fresh window from now.
      if (now - dueAt > LATE_TIMER_MS) {
        this.checkAfter(ping, timeoutMs);
        return;
      }
      // Quiet since the ping went out, or since the last answer to anything: a stall once that is the timeout, while
      // operations wait on the database (with none in flight nobody waits: look again a timeout later).
      const quietMs = now - Math.max(ping.sentAt, this.circuit.lastAnsweredAt);
      if (this.circuit.inFlight === 0) {
        this.checkAfter(ping, timeoutMs);
        return;
      }
      if (quietMs < timeoutMs) {
        this.checkAfter(ping, timeoutMs - quietMs);
        return;
      }
      ping.missed = true;
      this.stats.missed++;
      const waited = Math.round(performance.now() - ping.sentAt);
      this.circuit.stalled(`heartbeat: no answer to ping within ${waited} ms`);
    });
  }

  /** Watches a client's broken connections (see the class comment). */
  private watch(client: mongo.MongoClient): void {
    if (this.watched.has(client)) return;
    this.watched.add(client);
    client.on('connectionClosed', (event: ConnectionClosedEvent) => {
      if (event.reason === 'error') this.checkAddress(event.address);
    });
  }

  /** A connection to the database broke: whether anything still listens at its address. */
  private checkAddress(address: string): void {
    const { enabled, breakerEnabled, heartbeatTimeoutMs } = this.config.fallback;
    if (!enabled || !breakerEnabled || this.stopped || this.circuit.open || this.checkingAddress) return;
    const options = connectOptionsOf(address);
    if (!options) return;
    this.checkingAddress = true;
    const socket = connect(options);
    const done = () => {
      this.checkingAddress = false;
      socket.destroy();
    };
    // No answer at all is the ping's to judge (a hung host): this check only hears refusals.
    socket.setTimeout(heartbeatTimeoutMs, done);
    socket.once('connect', done);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      done();
      // Refused or unreachable; for a Unix socket, no socket file any more.
      if (this.stopped || !(isRefusal(error) || error.code === 'ENOENT')) return;
      this.circuit.stalled(`heartbeat: ${address} refuses connections (${error.code})`);
    });
  }

  private discardClient(): void {
    const client = this.client;
    this.client = undefined;
    void client?.close(true).catch(() => undefined);
  }

  /** The heartbeat's own client: one connection, short timeouts, so a ping never waits behind the service's queries. */
  private connection(uri: string): mongo.MongoClient {
    this.client ??= new mongo.MongoClient(uri, {
      maxPoolSize: 1,
      minPoolSize: 1,
      // No server to select within a few timeouts is an answer too: the database is not there.
      serverSelectionTimeoutMS: Math.max(500, this.config.fallback.heartbeatTimeoutMs * 5),
      connectTimeoutMS: Math.max(1000, this.config.fallback.heartbeatTimeoutMs * 10),
      heartbeatFrequencyMS: 500,
    });
    this.watch(this.client);
    return this.client;
  }
}
