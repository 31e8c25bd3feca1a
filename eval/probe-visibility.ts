/**
 * Which probe-list samples carry an attack that one access-log line can show, and which are
 * "endpoint-only": an ordinary-looking application path or directory with no payload, whose only
 * signal is that the site may not run that product (`/wp-login.php`, `/admin/`, `/api/users`). The
 * second kind is a probe only in bulk (the behaviour detector's http-probing scenario), so its line
 * recall says little; the eval reports both numbers and a session-level replay.
 *
 * The criteria are structural and written down here, from characters, extensions and name classes
 * documented below; they never look at what the rules say. In order, the first that applies wins:
 *
 * Visible (a line rule can and should say "attack"):
 *  1. payload:*   attack syntax in the decoded target: traversal (`../`, `..;`, `..\`), control bytes
 *                 (CR, LF, NUL), double/overlong encoding (`%25xx`, `%c0%ae`, `%u002e`), injection
 *                 syntax (`<`, `>`, `"`, `'`, backtick, `${`, `$(`, `{{`, `#{`, `%{`, `<%`), SQL syntax
 *                 (`union … select`, `sleep(`, `or 1=1`…), function-call syntax in a parameter value,
 *                 shell commands (`=id`, `;wget `, `/bin/sh`), stream wrappers and schemes (`php://`,
 *                 `file://`, `jndi:`…), system files (`/etc/passwd`, `win.ini`, `/proc/self`), OGNL/EL
 *                 markers, and URL parameters that point at an out-of-band callback host (interactsh /
 *                 oast.* domains, `attacker.example`) or at a loopback/internal address (SSRF).
 *  2. resource:*  a file or folder a public site never legitimately serves:
 *     - vcs        .git/.svn/.hg/.bzr/CVS metadata
 *     - dotfile    any other path segment starting with a dot (`.env`, `.htaccess`, `.ssh/`, `.idea/`),
 *                  except `/.well-known/`
 *     - backup     backup/editor/template suffix (`~`, `.bak`, `.old`, `.orig`, `.swp`, `.save`, `.tmp`,
 *                  `.dist`, `.sample`…) or a source/config extension followed by another suffix
 *                  (`config.php.txt`, `index.php.1`, `settings.py_old`)
 *     - dump       database files and dumps (`.sql`, `.sql.gz`, `.dump`, `.db`, `.sqlite`, `.mdb`…)
 *     - archive    an archive (`.zip`, `.tar.gz`, `.rar`, `.7z`…) whose name is backup/site vocabulary
 *                  (backup, www, site, db, htdocs, public_html…), a number or date, a domain name, at
 *                  most three characters, or that sits in a backup folder; any other archive is a
 *                  download (endpoint-only)
 *     - secret     key and credential files (`.pem`, `.key`, `.ppk`, `.jks`, `.kdbx`, `.ovpn`, `id_rsa`,
 *                  `htpasswd`, `passwords.txt`, `credentials.json`, user/customer spreadsheets)
 *     - log        `.log` files, `error_log`, `access_log`, `nohup.out`, `logs/*.txt`
 *     - config     config formats (`.env`, `.ini`, `.conf`, `.cfg`, `.cnf`, `.config`, `.properties`,
 *                  `.toml`, `.inc`, `.tfstate`, `.yml` other than API descriptions) and config names in
 *                  xml/json/php/txt (`config.php`, `web.xml`, `appsettings.json`, `database.yml`)
 *     - build      source-tree and build files (`package.json`, `composer.lock`, `Dockerfile`,
 *                  `docker-compose.yml`, `Gemfile`, `pom.xml`, `gulpfile.js`, `*.config.js`) and
 *                  non-web source (`.py`, `.rb`, `.java`, `.class`, `.cs`, `.go`, `.sh`, `.bat`, `.ps1`,
 *                  outside `/cgi-bin/`)
 *     - ide        IDE/OS metadata without a leading dot (`Thumbs.db`, `desktop.ini`, `nbproject/`,
 *                  `*.sublime-project`, Dreamweaver `_notes/`, FrontPage `_vti_pvt/`)
 *     - java       `WEB-INF/`, `META-INF/`
 *     - library    a server-side script inside a dependency tree (`/vendor/**.php`, `/node_modules/**.php`)
 *     - debug      diagnostics that expose internals (phpinfo pages, `server-status`, `server-info`,
 *                  actuator env/heapdump/…, `_profiler`, `elmah.axd`, `debug/pprof`)
 *     - webshell   a web-shell family name (c99, r57, wso, b374k, alfa, indoxploit, webr00t, sdoor,
 *                  shell, cmd, backdoor, aspxspy, cmdasp…) or a throw-away script name at the root
 *                  (`/a.php`, `/xx.php`, `/1.php`, `/12.asp`) as dropped shells are named
 *
 * Endpoint-only (everything else), split for the report: directory (ends in `/` or has no
 * extension), admin-or-login, api-or-docs (API, Swagger/OpenAPI, GraphQL, WSDL), readme (README,
 * CHANGELOG, LICENSE, INSTALL, version files), db-admin-tool (phpMyAdmin, Adminer…), script (any other
 * .php/.asp/.jsp/.cgi/.do/.action…), download (an archive that is not a backup), other.
 */

export interface ProbeClass {
  visible: boolean;
  /** `payload:<kind>`, `resource:<kind>` or `endpoint:<kind>`. */
  cls: string;
}

function decode(s: string): string {
  let cur = s;
  for (let i = 0; i < 2; i++) {
    const next = cur.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    if (next === cur) break;
    cur = next;
  }
  return cur;
}

const PAYLOAD: Array<[string, RegExp]> = [
  ['traversal', /(?:^|[/\\=])\.\.(?:[/\\;]|$)|\.\.;|\/\.[\r\n]\./],
  ['control-char', /[\x00-\x1f\x7f]/],
  ['injection-syntax', /[<>"'`]|\$\{|\$\(|\{\{|#\{|%\{|<%/],
  ['sql', /\bunion\b.{0,40}\bselect\b|\bselect\b.{1,80}\bfrom\b|\b(?:pg_)?sleep\s*\(|benchmark\s*\(|waitfor\s+delay|\b(?:and|or)\s+\d+\s*[=<>]\s*\d|extractvalue\s*\(|updatexml\s*\(|\border\s+by\s+\d|information_schema/],
  ['command', /(?:^|[;|&=`]|\$\()\s*(?:id|whoami|uname(?:\s+-a)?|ifconfig|ipconfig|pwd)(?=$|[\s;|&'"`)])|(?:^|[;|&=`\s]|\$\()(?:wget|curl|nc|ncat|chmod|busybox|powershell)\s|\bcat\s+\/|\/bin\/(?:ba)?sh\b|\bcmd(?:\.exe)?\s+\/c\b/],
  ['wrapper', /\b(?:php|file|expect|phar|zip|glob|gopher|dict|ldap|ldaps|rmi|jar|netdoc|tftp|data):\/\/|\bjndi:|\bdata:[\w/+-]{1,40};base64,/],
  ['system-file', /\/etc\/(?:passwd|shadow|hosts|group|issue|hostname)\b|\bwin\.ini\b|\bboot\.ini\b|system32|\/proc\/(?:self|version|\d)/],
  ['ognl-el', /@java\.|#_memberaccess|class\.module\.classloader|\bognl\b|\.getclass\(|\bclass\.forname/],
  ['oast-or-internal-url', /\b(?:interact\.sh|oast\.(?:fun|pro|me|site|online|live)|oastify\.com|burpcollaborator\.net|attacker\.example|dnslog\.cn)\b|=(?:https?|ftp|gopher|dict):\/\/(?:localhost|127\.|0\.0\.0\.0|0177\.|0x7f|\[::1?\]|169\.254\.|0[:/]|10\.\d|192\.168\.)/],
];

/** Function-call syntax inside a parameter value: `hook=get_cfg()`, `x=phpinfo()`, `a=alert(1)`. */
const CALL_IN_VALUE = /=[^&]{0,100}\b[a-z_][\w.]{1,40}\s*\(/;
const ENCODING_EVASION = /%25[0-9a-f]{2}|%c0%[0-9a-f]{2}|%c1%[0-9a-f]{2}|%e0%80|%u00[0-9a-f]{2}|%%3\d/;

const SRC_EXT = 'php\\d?|phtml|inc|asp|aspx|ascx|jsp|cfm|py|rb|pl|cgi|config|conf|cfg|ini|ya?ml|json|xml|env|sql|properties|htaccess|htpasswd|local|js|sh|txt';
const BACKUP = new RegExp(
  `.~$|\\.(?:bak|bkp|back|backup|old|orig|original|save|sav|swp|swo|swn|tmp|temp|copy|prev|previous|dist|sample|example|default|bk|releasebackup|versionsbackup)$|\\.(?:ini|php|xml|conf|config)[_-](?:orig|eb|dist|\\w{0,8})?(?:\\.txt)?$|\\.(?:${SRC_EXT})(?:[._-](?:bak|bkp|backup|old|orig|original|save|sav|swp|tmp|temp|txt|new|copy|prev|\\d{1,2}|zip|rar|7z|tar|tgz)|_(?:old|bak|backup|orig|original)|::\\$data)$`,
);
const DUMP = /\.core$|(?:^|[._-])(?:database|db|dump|orders|sales|customers?|users?|members|accounts|emails|clients)\.(?:csv|tsv|xls|xlsx)$|\.(?:sql|dump|dmp|db|sqlite3?|sqlitedb|db3|mdb|accdb|dbf|mdf|ldf|myd|frm|ibd|rdb|hprof|bson|pgsql|mysql)(?:\.(?:gz|zip|bz2|xz|7z|tar\.gz|tgz|txt))?$/;
const ARCHIVE = /\.(?:zip|rar|7z|tar|tgz|tar\.gz|tar\.bz2|tar\.xz|tbz2?|gz|bz2|xz|war|ear|jar|arj|lzh)$/;
const BACKUP_WORDS = /backup|bak|bkp|dump|db|sql|site|www|web|html|htdocs|root|home|data|old|src|source|archive|export|conf|admin|upload|files|test|temp|tmp|dev|prod|release|deploy|full|latest|wordpress|joomla|drupal|magento|app|project|public|private|store|shop|master/;
const SECRET_EXT = /\.(?:htpasswd|htdigest|pem|key|p12|pfx|jks|keystore|ppk|kdbx|kdb|ovpn|gpg|pgp|skr|pkr|psafe3|agilekeychain|keychain|csr)$/;
const SECRET_NAME = /^(?:id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?|authorized_keys|known_hosts|htpasswd|htdigest|passwd|shadow|pgpass|netrc|secring|pubring|master\.passwd|passwd\.adjunct|wand\.dat)$|(?:passes|passlist|pws|usernames|recovery-codes|passwords?)\.txt$|(?:^|[._-])(?:credentials?|credential|secrets?|passwords?|passwd|pass|pwd|pw|tokens?|api[_-]?keys?|apikeys?|client_secrets?|service[_-]?account(?:-credentials)?|wallet|private[_-]?key|access_token)(?:[._-][\w-]{0,20})?\.(?:txt|json|xml|ya?ml|csv|tsv|dat|ini|cfg|conf|xls|xlsx|ods|bak|old)$|(?:^|[._-])(?:logins?|users?|accounts?|members|customers?|clients|emails?)\.(?:txt|csv|tsv|dat|ini|xls|xlsx|bak|old)$/;
const LOG = /\.err$|\.log(?:\.\d{1,2}|\.gz|\.txt|\.zip)?$|(?:^|[._-])(?:error|access|debug|install|php_?errors?|ws_ftp)_?log$|^(?:nohup|catalina)\.out$|^(?:[\w-]{0,40}[_-])?(?:logs?|errors?|debug|err)\.txt$/;
const CONFIG_EXT = /\.(?:env|ini|conf|cfg|cnf|config|properties|toml|inc|tfstate|tfvars|plist|reg|settings|htaccess|npmrc|neon|asa|asax|prop)$/;
/** A source or config file with a further suffix (`local.xml.live`, `bootstrap.php.cache`): a copy, never the served file. */
const EXTRA_SUFFIX = /\.(?:php\d?|inc|config|conf|cfg|ini|ya?ml|xml|env|properties|sql|py|rb)\.(?!map$|gz$|br$|html?$|css$|js$|min$|json$|jsonp$|xml$|php$|asp$|aspx$)[a-z]{2,12}$/;
const YAML = /\.ya?ml$/;
const API_DESC = /swagger|openapi|api-?docs?|^spec\.|^api\./;
const CONFIG_NAME = /^(?:[\w-]{0,30}[._-])?(?:config|configs|configuration|conf|settings?|local_?settings|localsettings|appsettings|application|database|databases|db|dbconfig|db_config|dbconn|dbconnect|db_connect|connection|connections|connectionstrings|parameters|secrets?|credentials?|env|environment|web|server|context|tomcat-users|filezilla|sitemanager|recentservers|sftp-config|sftp|ftpconfig|keycloak|dockerrun\.aws|deployment|deploy|wp-config|local|global|globals|hibernate|struts|persistence|applicationcontext|spring|security|ws-config|robomongo|google-services|firebase)(?:\.[\w-]{1,20})?\.(?:xml|json|txt|inc|ini|dat|bin|tpl)$/;
/** PHP/ASP files that hold configuration and are only ever included (`wp-config.php`, `config.inc.php`, `dbconnect.php`). */
const CONFIG_SCRIPT = /^(?:[\w-]{0,30}[._-])?(?:config|configuration|configure|conf|local_?conf|dbconfig|db_config|dbconn|dbconnect|db_connect|database|db|connection|connections|connect_db|parameters|secrets?|credentials?|wp-config|localsettings|local_settings|env|conf_global)(?:\.(?:inc|local|default|global))?\.(?:php\d?|inc|asp|aspx|cs)$/;
const BUILD_NAME = /^(?:package(?:-lock)?\.json|composer\.(?:json|lock|phar)|[\w-]{1,30}\.phar|yarn\.lock|pnpm-lock\.yaml|bun\.lockb|npm-shrinkwrap\.json|bower\.json|gemfile(?:\.lock)?|pipfile(?:\.lock)?|requirements(?:[\w-]{0,20})?\.txt|setup\.py|pyproject\.toml|pom\.xml|build\.(?:gradle|xml|sbt|sh)|settings\.gradle|gradlew|makefile|cmakelists\.txt|cmakecache\.txt|compile_commands\.json|installed\.json|brocfile\.js|brunch-config\.\w+|autom4te\.cache|dockerfile|docker-compose[\w.-]{0,30}|vagrantfile|gruntfile\.\w+|gulpfile\.\w+|[\w-]{1,40}\.config\.(?:js|ts|cjs|mjs|coffee)|capfile|rakefile|procfile|jenkinsfile|go\.(?:mod|sum)|cargo\.(?:toml|lock)|phpunit\.xml(?:\.dist)?|phpspec\.yml|tsconfig\.json|tslint\.json|angular\.json|project(?:\.lock)?\.json|karma\.conf\.js|webpack[\w.-]{0,30}\.js|homestead\.(?:yaml|json)|app\.yaml|serverless\.ya?ml|azure-pipelines\.yml|bitbucket-pipelines\.yml|appveyor\.yml|circle\.yml|wercker\.yml|manifest\.yml|deploy\.rb|install_manifest\.txt)$/;
const SOURCE_EXT = /\.(?:py|pyc|pyo|rb|java|class|go|c|h|cpp|hpp|swift|kt|scala|sh|bash|zsh|ksh|bat|ps1|psm1|vbs|pm|erb|coffee|csproj|sln|vcxproj|user|suo|m4|cmake)$/;
const IDE = /(?:^|\/)(?:thumbs\.db|desktop\.ini|nbproject|[\w.-]{1,40}\.sublime-(?:project|workspace)|_notes|_vti_pvt|_vti_cnf|atlassian-ide-plugin\.xml|[\w.-]{1,40}\.(?:xcworkspace|xcuserstate|xcodeproj|iml|ipr|iws))(?:\/|$)/;
const DEBUG = /(?:php[_-]?info|phpinfos?|pinfo|infophp|php_?test|test_?php|phpversion)\.php$|\/(?:server-status|server-info|perl-status|nginx[_-]status|fpm-status|status\.phps)$|\/actuator\/(?:env|heapdump|threaddump|configprops|mappings|logfile|trace|httptrace|beans|jolokia|dump|gateway)|\/(?:heapdump|threaddump|configprops|httptrace|autoconfig)(?:\.json)?$|\/_profiler(?:\/|$)|\/(?:elmah|trace)\.axd|\/debug\/(?:pprof|vars)|\/__clockwork|\/_debugbar|\/telescope\/|\/__web_console|\/app_dev\.php|\/(?:printenv|test-cgi)(?:\.\w{1,4})?$/;
const SHELL_FAMILY = /(?:^|[_-])(?:c99|c100|r57|r58|wso|b374k|alfa|indoxploit|idx|webr00t|sdoor|pwdshellru|shell|cmd|backdoor|bypass|priv8|xleet|leafmailer|marijuana|0byte|symlink|sym404|zehir|aspxspy|aspxsh|cmdasp|ntdaddy|efso|remexp|spexec|aspydrv|aspy|k2ll33d|madspot|kacak|lufix|fierza|injector|h4x[o0]r|haxor|hacked|r00t|mini|wp_fma|uploader|filesman|exploit|cgitelnet|perlcmd|jspspy|jsp-reverse)(?:[_-]?\d{0,4}|shell)?\.(?:php\d?|phtml|pht|asp|aspx|jsp|jspx|cgi|pl|cfm|ashx)$|^[a-z0-9]{0,12}shell\d{0,3}\.(?:php\d?|phtml|asp|aspx|jsp|cgi|pl)$/;
const THROWAWAY = /^\/(?:[a-z]{1,2}|\d{1,5}|[a-z]\d{1,3}|\d[a-z])\.(?:php\d?|phtml|asp|aspx|jsp)$/;

const ADMIN = /admin|login|logon|log-in|signin|sign_in|sign-in|auth|panel|cpanel|manage|dashboard|console|backoffice|backend|moderat|webmaster|controlpanel|yonetici|painel|houtai|guanli|denglu|administr|password|register|account/;
const API = /(?:^|\/)(?:api|apis|v\d(?:\.\d)?|swagger|swagger-ui|openapi|api-docs|graphql|graphiql|playground|wsdl|wadl|rest|soap|rpc|jsonrpc|xmlrpc)(?:[/._-]|$)|\.(?:wsdl|wadl)$|swagger|openapi|graphi?ql/;
const README = /(?:^|\/)(?:readme|changelog|changes|history|news|license|licence|copying|copyright|credits|authors|contributors|install|installation|upgrade|upgrading|release[_-]?notes|todo|version|versions|maintainers|security|code_of_conduct)(?:\.[\w]{1,5})?$/;
const DBADMIN = /php-?my-?admin|phpma|(?:^|\/)_?pma|myadmin|adminer|sqladmin|dbadmin|phppgadmin|pgadmin|sqlbuddy|sqlitemanager|websql|mysql-?admin|phpminiadmin|phpliteadmin|moadmin|rockmongo/;
const SCRIPT = /\.(?:php\d?|phtml|asp|aspx|ascx|asmx|ashx|axd|jsp|jspx|jspa|do|action|cgi|pl|cfm|cfc|dll|exe|nsf|shtml|svc|py)$/;

function lastSegment(path: string): string {
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The resource-name classes of a decoded, lower-case path (no query). */
function resourceClass(path: string): string | null {
  const segs = path.split('/').filter((s) => s.length > 0);
  const base = lastSegment(path);
  if (/\.git$|(?:^|\/)svn\.revision$/.test(base) || segs.some((s) => /^\.(?:git|svn|hg|bzr|gitignore|gitattributes|gitmodules|gitconfig|git-credentials|gitlab-ci\.yml|travis\.yml)$/.test(s)) || /(?:^|\/)(?:cvs\/(?:entries|root|repository)|_darcs\/)/.test(path)) return 'vcs';
  if (segs.some((s) => /^\.[^.]/.test(s) && s !== '.well-known')) return 'dotfile';
  if (segs.some((s) => /^(?:web-inf|meta-inf)\.?$/.test(s))) return 'java';
  if (DUMP.test(base)) return 'dump';
  if (BACKUP.test(base) || EXTRA_SUFFIX.test(base)) return 'backup';
  if (ARCHIVE.test(base)) {
    const stem = base.replace(ARCHIVE, '');
    const inBackupDir = segs.slice(0, -1).some((s) => /backup|bak|bkp|dump|old|archive|recovery/.test(s));
    if (BACKUP_WORDS.test(stem) || /^[\d_.-]{1,12}$/.test(stem) || stem.length <= 3 || /\.(?:com|net|org|ru|de|io|co|uk|info|biz|cn|jp|fr|nl|pl|br|in|it)$/.test(stem) || inBackupDir) return 'archive';
    return null; // a download
  }
  if (SECRET_EXT.test(base) || SECRET_NAME.test(base) || segs.slice(0, -1).some((s) => /^(?:credentials|secrets|ssl)$/.test(s))) return 'secret';
  if (LOG.test(base) || /\/(?:_?logs?|logfiles?)\/[\w.-]{1,60}\.(?:txt|gz|zip|old|out|\d)$/.test(path)) return 'log';
  if (IDE.test(path)) return 'ide';
  if (/\/(?:vendor|node_modules|bower_components)\/.{0,200}\.(?:php\d?|phtml|phar)$/.test(path)) return 'library';
  if (DEBUG.test(path)) return 'debug';
  if (BUILD_NAME.test(base) || (SOURCE_EXT.test(base) && !path.includes('/cgi-bin') && !base.endsWith('.pl'))) return 'build';
  if (CONFIG_EXT.test(base) || (YAML.test(base) && !API_DESC.test(base)) || CONFIG_NAME.test(base) || CONFIG_SCRIPT.test(base)) return 'config';
  // A script inside a configuration folder is included by the application, never requested.
  if (/\/(?:config|conf|configs|configuration)\/(?:[\w.-]{1,60}\/){0,3}[\w.-]{1,60}\.(?:php\d?|inc|rb|py|xml|json)$/.test(path)) return 'config';
  if (SHELL_FAMILY.test(base) || THROWAWAY.test(path)) return 'webshell';
  return null;
}

function endpointClass(path: string): string {
  const base = lastSegment(path);
  if (ARCHIVE.test(base)) return 'download';
  if (DBADMIN.test(path)) return 'db-admin-tool';
  if (README.test(path)) return 'readme';
  if (API.test(path)) return 'api-or-docs';
  if (ADMIN.test(path)) return 'admin-or-login';
  if (path.endsWith('/') || !base.includes('.')) return 'directory';
  if (SCRIPT.test(base)) return 'script';
  return 'other';
}

/** Classify one probe-list entry (a raw request target, path and optional query). */
export function classifyProbe(raw: string): ProbeClass {
  const rawLower = raw.toLowerCase();
  const t = decode(raw).toLowerCase();
  for (const [name, re] of PAYLOAD) if (re.test(t)) return { visible: true, cls: `payload:${name}` };
  if (ENCODING_EVASION.test(rawLower)) return { visible: true, cls: 'payload:encoding-evasion' };
  const q = t.indexOf('?');
  const path = q === -1 ? t : t.slice(0, q);
  const query = q === -1 ? '' : t.slice(q + 1);
  if (CALL_IN_VALUE.test(query)) return { visible: true, cls: 'payload:code-call' };
  // A `;` path parameter that hides another path (`/a;/b`, Tomcat/Spring normalisation bypass).
  if (/;[\w%.-]{0,40}\//.test(path) && !/;jsessionid=/i.test(path)) return { visible: true, cls: 'payload:path-parameter-bypass' };
  const r = resourceClass(path);
  if (r !== null) return { visible: true, cls: `resource:${r}` };
  return { visible: false, cls: `endpoint:${endpointClass(path)}` };
}

/**
 * Scanner user agents, by what the client is (from the record's user agent and description):
 * - attack-tool: a tool an operator points at a target (vulnerability scanners, fuzzers, directory
 *   brute-forcers, injection tools, TLS audit tools run from the command line);
 * - survey: internet-wide or attack-surface-management scanners that sweep address space (Censys,
 *   zgrab, masscan, Expanse, LeakIX, Shodan-like research crawlers, security-rating services);
 * - security-service: a service acting for the site owner, a CA or a filter vendor: certificate
 *   validation (Let's Encrypt, DigiCert DCV, Google Trust Services), TLS/HSTS graders (SSL Labs,
 *   hstspreload), cookie-consent and privacy-compliance scanners, malware/integrity monitors (Sucuri,
 *   Sansec, WTotem, VaultPress), URL reputation, content filters and spam filters. Not an attack: the
 *   eval expects a recorded, non-alerting label (severity info, simulation), never an alert;
 * - not-a-scanner: entries the source list matched on a short token that names a different client
 *   (an image-search crawler caught by "xray", a web-inspector crawler by "Webinspect", a scraper).
 */
export type UaClass = 'attack-tool' | 'survey' | 'security-service' | 'not-a-scanner';

const UA_TOOL = /sqlmap|nikto|nuclei|wpscan|gobuster|fuzz faster|dirbuster|nmap|acunetix|nessus|openvas|wfuzz|zmeu|whatweb|netsparker|w3af|masscan-ng|testssl|sqlninja|blackduck|probely|detectify|watchtowr|wpsec/;
const UA_SURVEY = /zgrab|masscan|censys|expanse|leakix|tbi-|internet-?measurement|l9explore|l9scan|l9tcpid|netsystemsresearch|ltx71|riddler|bitsight|bitdiscovery|asnriskscorer|isscyberrisk|keydrop|air\.ai|cypex|visionheight|xmco|csirt|cert pl|artemis|http banner detection|netcraft|reverseengineeringbot|ec2linkfinder|nstoolsbot|software-security-research|aliyunsecbot|binlar|observer|verispider|mrgbot|dnsscanner|wanscannerbot|ut-dorkbot/;
const UA_SERVICE = /let's encrypt|digicert|google-trust-services|certchief|ssl ?labs|ssldetector|test certificate info|hstspreload|cookie|consent|iubenda|legalmonster|do not track|sucuri|sansec|wtotem|vaultpress|virustotal|projectshield|cloudflare|urlbee|unshorten|akismet|cyberpatrol|safedns|jugendschutz|filterdb|lightspeed|k7mlwcbot|feed image audit|bad neighborhood|dratabot|securityheaders|hardenize|comodo-webinspector|foregenix|twinwavescanner/;

export function classifyScannerUa(userAgent: string, description: string): UaClass {
  const s = `${userAgent} ${description}`.toLowerCase();
  const ua = userAgent.toLowerCase();
  if (/^grabber\b/.test(ua)) return 'attack-tool';
  if (/pixray|ecairn-grabber|emailwolf|krawlerbot|ninja bot|sbl-bot/.test(ua) || /80legs|scraping service/.test(description.toLowerCase())) return 'not-a-scanner';
  if (UA_TOOL.test(s)) return 'attack-tool';
  if (UA_SERVICE.test(s)) return 'security-service';
  if (UA_SURVEY.test(s)) return 'survey';
  return 'not-a-scanner';
}
