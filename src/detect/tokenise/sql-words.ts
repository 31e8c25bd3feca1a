/**
 * The SQL vocabulary the tokeniser classifies words by (lower case). Dialect-neutral on purpose:
 * MySQL, PostgreSQL, MSSQL, Oracle and SQLite words together, since a log line does not say which
 * database sits behind the page.
 */

/** Logical connectives: `' or …`, `1 and …`. */
export const LOGIC_WORDS: ReadonlySet<string> = new Set(['and', 'or', 'xor', 'not']);

/** Word operators that compare (`is` and `in` only count with what must follow them, see sql-decide). */
export const COMPARE_WORDS: ReadonlySet<string> = new Set(['like', 'rlike', 'regexp', 'between', 'in', 'is', 'sounds', 'glob', 'similar']);

/** Word operators that compute. */
export const ARITH_WORDS: ReadonlySet<string> = new Set(['div', 'mod', 'collate', 'escape']);

/** Set operators that join a second SELECT onto the query. */
export const UNION_WORDS: ReadonlySet<string> = new Set(['union', 'intersect', 'except', 'minus']);

/** Reserved words: never a value or a function name. */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'select', 'insert', 'update', 'delete', 'drop', 'create', 'alter', 'truncate', 'exec', 'execute', 'declare',
  'waitfor', 'shutdown', 'grant', 'revoke', 'call', 'handler', 'rename', 'set', 'use', 'begin', 'load', 'merge',
  'from', 'where', 'having', 'limit', 'offset', 'order', 'group', 'by', 'into', 'outfile', 'dumpfile', 'procedure',
  'values', 'join', 'top', 'as', 'case', 'when', 'then', 'else', 'end', 'all', 'distinct', 'asc', 'desc', 'using',
  'table', 'database', 'exists', 'null', 'true', 'false', 'unknown', 'fetch', 'rows', 'only', 'for', 'on',
]);

/** Keywords that are values (an operand in an expression). */
export const VALUE_KEYWORDS: ReadonlySet<string> = new Set(['null', 'true', 'false', 'unknown']);

/**
 * Functions whose only use in a request is probing a database: timing (sleep), errors that leak
 * (extractvalue), out-of-band calls (utl_http), file access and the server's identity. Matched on the
 * name after the last dot (`master..xp_cmdshell`, `dbms_pipe.receive_message`).
 */
export const PROBE_FUNCTIONS: ReadonlySet<string> = new Set([
  'sleep', 'benchmark', 'pg_sleep', 'pg_sleep_for', 'receive_message', 'get_host_address', 'get_host_name',
  'utl_http.request', 'extractvalue', 'updatexml', 'load_file', 'xp_cmdshell', 'xp_dirtree', 'xp_fileexist', 'sys_eval', 'sys_exec',
  'randomblob', 'pg_read_file', 'pg_ls_dir', 'lo_import', 'dblink', 'openrowset', 'opendatasource', 'ctxsys',
  'drithsx', 'sp_oacreate', 'sp_executesql', 'gtid_subset', 'name_const',
]);

/** Probe functions that take no argument: `version()`, `database()`, `user()`. */
export const IDENTITY_FUNCTIONS: ReadonlySet<string> = new Set([
  'version', 'database', 'user', 'current_user', 'session_user', 'system_user', 'schema', 'connection_id',
  'current_database', 'current_schema', 'sqlite_version', 'last_insert_rowid', 'db_name', 'suser_name', 'user_name',
  'host_name',
]);

/** Functions of SQL itself (string, cast, conditional, aggregate): evidence next to other SQL syntax. */
export const SQL_FUNCTIONS: ReadonlySet<string> = new Set([
  'concat', 'concat_ws', 'group_concat', 'string_agg', 'listagg', 'char', 'chr', 'nchar', 'ascii', 'ord', 'unicode',
  'substring', 'substr', 'mid', 'left', 'right', 'length', 'len', 'char_length', 'lower', 'upper', 'lcase', 'ucase',
  'hex', 'unhex', 'bin', 'conv', 'cast', 'convert', 'if', 'iif', 'ifnull', 'isnull', 'nullif', 'coalesce', 'nvl',
  'case', 'count', 'sum', 'min', 'max', 'avg', 'floor', 'ceil', 'rand', 'random', 'round', 'abs', 'elt', 'make_set',
  'field', 'instr', 'locate', 'position', 'replace', 'reverse', 'repeat', 'space', 'trim', 'ltrim', 'rtrim', 'lpad',
  'rpad', 'md5', 'sha1', 'password', 'encode', 'decode', 'aes_encrypt', 'aes_decrypt', 'from_base64', 'to_base64',
  'quote', 'soundex', 'strcmp', 'regexp_substr', 'regexp_like', 'row', 'exists', 'greatest', 'least', 'bit_length',
  'octet_length', 'current_setting', 'query_to_xml', 'xmltype', 'to_char', 'to_number', 'typeof', 'unistr',
  'load_extension', 'zeroblob', 'substring_index', 'exp', 'json_keys', 'sysdate', 'now',
]);

/** Type names after `::` or `AS` in a cast. */
export const TYPE_NAMES: ReadonlySet<string> = new Set([
  'int', 'integer', 'int4', 'int8', 'bigint', 'smallint', 'numeric', 'decimal', 'real', 'float', 'double', 'text',
  'varchar', 'char', 'nvarchar', 'nchar', 'bool', 'boolean', 'date', 'timestamp', 'time', 'json', 'jsonb', 'xml',
  'bytea', 'regclass', 'oid', 'money', 'signed', 'unsigned', 'binary', 'uuid', 'inet',
]);

/** Words that start a statement after `;`, each with what must follow it to be that statement. */
export const STATEMENT_STARTS: ReadonlyMap<string, 'any' | readonly string[]> = new Map<string, 'any' | readonly string[]>([
  ['select', 'any'],
  ['insert', ['into']],
  ['update', 'any'],
  ['delete', ['from']],
  ['drop', ['table', 'database', 'procedure', 'function', 'user', 'view', 'schema', 'index']],
  ['create', ['table', 'database', 'procedure', 'function', 'user', 'view', 'schema', 'index', 'trigger', 'or']],
  ['alter', ['table', 'database', 'user', 'login', 'role']],
  ['truncate', ['table']],
  ['exec', 'any'],
  ['execute', 'any'],
  ['declare', 'any'],
  ['waitfor', ['delay', 'time']],
  ['shutdown', 'any'],
  ['grant', ['all']],
]);
