/**
 * Command words the shell tokeniser knows. Split by how often they are also ordinary words in a search
 * box or a page title: `whoami` after a `;` is a command, `date` after a `|` may be a column heading.
 */

/** Commands that are not English words (POSIX shells are case-sensitive: `Python-urllib` is not `python`). */
export const STRONG_COMMANDS = new Set([
  'id', 'whoami', 'uname', 'ifconfig', 'ipconfig', 'wget', 'curl', 'nc', 'ncat', 'netcat', 'bash', 'sh', 'zsh', 'ksh', 'csh',
  'tcsh', 'dash', 'busybox', 'python', 'python2', 'python3', 'perl', 'ruby', 'php', 'powershell', 'pwsh', 'cmd', 'cmd.exe',
  'powershell.exe', 'certutil', 'bitsadmin', 'chmod', 'chown', 'nslookup', 'systeminfo', 'tasklist', 'hostname', 'ls', 'pwd',
  'rm', 'tftp', 'telnet', 'base64', 'xxd', 'awk', 'gawk', 'nohup', 'crontab', 'sudo', 'netstat', 'printenv', 'rundll32',
  'regsvr32', 'mshta', 'wscript', 'cscript', 'msiexec', 'socat', 'nmap', 'mkfifo', 'lsb_release', 'getent', 'useradd',
  'killall', 'pkill', 'grep', 'egrep', 'fgrep', 'xargs', 'ipconfig.exe', 'whoami.exe', 'net.exe', 'tftp.exe', 'nproc',
  'lscpu', 'lsof', 'hexdump', 'gcc', 'php-cgi', 'sysctl', 'wmic', 'schtasks', 'vssadmin', 'icacls', 'ntdsutil', 'ftp', 'netsh',
]);

/** Commands that are also ordinary words: they need an argument that looks like a shell's (see shell.ts). */
export const AMBIGUOUS_COMMANDS = new Set([
  'cat', 'date', 'more', 'less', 'kill', 'time', 'sleep', 'find', 'sort', 'head', 'tail', 'touch', 'echo', 'ping', 'type',
  'dir', 'set', 'who', 'ver', 'del', 'copy', 'move', 'which', 'whereis', 'file', 'test', 'tac', 'nl', 'cut', 'tee', 'export',
  'eval', 'exec', 'source', 'net', 'systemctl', 'service', 'mail', 'ssh', 'scp', 'tar', 'unzip', 'zip', 'mkdir', 'mv', 'cp',
  'ln', 'sed', 'print', 'start', 'call', 'wc', 'uniq', 'rev', 'diff', 'shutdown', 'reboot', 'halt', 'history', 'last',
  'finger', 'whois', 'traceroute', 'tracert', 'openssl', 'timeout', 'watch', 'chattr', 'su', 'passwd', 'vi', 'vim', 'nano',
  'dig', 'host', 'arp', 'route', 'ps', 'env', 'expr', 'od', 'strings', 'cc', 'node', 'lua', 'reg', 'sc',
]);

/** Commands Windows' cmd.exe reads in any case (`WHOAMI`, `Net User`). */
export const CASELESS_COMMANDS = new Set(['whoami', 'ipconfig', 'systeminfo', 'tasklist', 'certutil', 'bitsadmin', 'powershell', 'cmd', 'wmic', 'net', 'dir', 'type', 'ver', 'del', 'copy', 'move', 'start', 'call', 'set', 'echo', 'ping', 'nslookup', 'netstat', 'hostname']);

/** Directories a glob-obfuscated path walks through (`/???/c?t` is /bin/cat). */
export const GLOB_DIRS = ['bin', 'sbin', 'usr', 'etc', 'tmp', 'dev', 'proc', 'var', 'home', 'root', 'opt', 'lib', 'local', 'self', 'log', 'www', 'boot', 'sys', 'run', 'mnt', 'srv'];

/** Files a glob-obfuscated path is after (`/e??/p??swd`). */
export const GLOB_FILES = ['passwd', 'shadow', 'group', 'hosts', 'issue', 'environ', 'cmdline', 'hostname', 'resolv.conf', 'sudoers', 'crontab', 'id_rsa', 'authorized_keys', 'bash_history', 'version', 'motd', 'fstab', 'mtab', 'network', 'interfaces', 'os-release', 'master.passwd'];
