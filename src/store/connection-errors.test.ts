import { describe, expect, it } from 'vitest';
import { connectionLoss } from './connection-errors.js';
import { SqlError, StoreError } from './errors.js';

const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('connectionLoss', () => {
  it.each([
    ['refused', coded('ECONNREFUSED', 'connect ECONNREFUSED 10.1.2.3:5432'), 'connection refused'],
    ['reset', coded('ECONNRESET'), 'connection reset'],
    ['terminated by pg_terminate_backend', coded('57P01', 'terminating connection due to administrator command'), 'connection terminated by the server'],
    ['server starting', coded('57P03', 'the database system is starting up'), 'server starting up or shutting down'],
    ['class 08', coded('08006'), 'connection failure'],
    ['pg message without code', new Error('Connection terminated unexpectedly'), 'connection lost'],
    ['dead client reused', new Error('Client has encountered a connection error and is not queryable'), 'connection lost'],
    ['connect timeout', new Error('timeout exceeded when trying to connect'), 'connection timed out'],
    ['wrapped twice', new StoreError('write', new SqlError('BEGIN', coded('ECONNREFUSED'))), 'connection refused'],
    ['aggregate', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), 'connection refused'],
  ])('%s: %s', (_name, err, label) => {
    expect(connectionLoss(err)).toBe(label);
  });

  it.each([
    ['syntax error', coded('42601', 'syntax error at or near "SELEC"')],
    ['unique violation', coded('23505')],
    ['plain error', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
    ['null', null],
  ])('%s is not a connection loss', (_name, err) => {
    expect(connectionLoss(err)).toBeNull();
  });

  it('stops on a cause cycle', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    a.cause = a;
    expect(connectionLoss(a)).toBeNull();
  });
});
