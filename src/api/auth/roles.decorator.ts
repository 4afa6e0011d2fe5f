import { SetMetadata } from '@nestjs/common';
import type { ApiRole } from '../../config/api-keys';

export const ROLES_KEY = 'switchboard:roles';
export const PUBLIC_KEY = 'switchboard:public';

/** The roles (besides admin, who may do everything) that may call a route or controller. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);

/** Open without a key: liveness, and provider webhooks that carry their own signatures. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
