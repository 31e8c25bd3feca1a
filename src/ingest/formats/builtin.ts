/** The stock formats, written as the log_format strings they are. */

/** nginx's predefined `combined`; Apache's `combined` has the same layout. */
export const COMBINED =
  '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"';

/** NCSA Common Log Format (Apache `common`): no referer or user agent. */
export const COMMON = '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent';

/** The `main` format of nginx's stock nginx.conf: combined plus X-Forwarded-For. */
export const MAIN = `${COMBINED} "$http_x_forwarded_for"`;
