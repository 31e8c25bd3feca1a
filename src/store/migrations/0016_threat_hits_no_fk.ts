/**
 * threat_hits without the foreign key to threats (issue #11, session 9). The key's check ran once per inserted hit
 * (a lookup and a row lock on its threat): measured in a 10,000-threat batch on PostgreSQL (bench/ingest-store.ts),
 * COPY threat_hits took 350-480 ms with it and 220-260 ms without, the largest single saving in the transaction.
 * Nothing needs it: the batch writer is the only writer of both tables and stores a threat's hits in the transaction
 * that stores the threat (only for threats that transaction inserted, threat-repository.ts), and no code deletes
 * threats (the ON DELETE CASCADE never ran outside tests). The hits keep their primary key (threat_id, n).
 */
export const id = '0016_threat_hits_no_fk';

export const sql = /* sql */ `
ALTER TABLE threat_hits DROP CONSTRAINT IF EXISTS threat_hits_threat_id_fkey;
`;
