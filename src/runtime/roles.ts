/** The roles a process can take, by name (see RoleName for the planned ones). */
import { allRole } from './role-all.js';
import type { Role, RoleName } from './types.js';

export const ROLES: Readonly<Record<RoleName, Role>> = { all: allRole };
