/** The schema and the connection: migrations applied and pending, applying them, and a ping for readiness. */
import { named } from './errors.js';
import type { StoreLogger } from './logger.js';
import { migrate, migrationStatus } from './migrate.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import type { MigrationStatus, SqlClient } from './types.js';

export interface SchemaRepositoryOptions {
  logger?: StoreLogger;
  migrations?: readonly Migration[];
}

export class SchemaRepository {
  private readonly migrations: readonly Migration[];
  private readonly logger: StoreLogger | undefined;

  constructor(
    private readonly sql: SqlClient,
    opts: SchemaRepositoryOptions = {},
  ) {
    this.migrations = opts.migrations ?? MIGRATIONS;
    this.logger = opts.logger;
  }

  /** Applies the pending migrations (each once, even with several processes starting together). */
  migrate(): Promise<MigrationStatus> {
    return migrate(this.sql, this.migrations, this.logger);
  }

  /** Applied and pending migrations; applies nothing. */
  status(): Promise<MigrationStatus> {
    return migrationStatus(this.sql, this.migrations);
  }

  /** Resolves when the database answers a query. */
  ping(): Promise<void> {
    return named('ping', async () => void (await this.sql.query('SELECT 1')));
  }
}
