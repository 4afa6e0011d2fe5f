import { applyDecorators, SetMetadata, UseGuards, type CanActivate, type Type } from '@nestjs/common';
import type { ApiRole } from '../../config/api-keys';

export const ROLES_KEY = 'switchboard:roles';
export const PUBLIC_KEY = 'switchboard:public';

/** The roles (besides admin, who may do everything) that may call a route or controller. */
export const Roles = (...roles: ApiRole[]) => SetMetadata(ROLES_KEY, roles);

/** Open without a key: liveness, and provider webhooks that carry their own signatures. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

export const AUTH_DELEGATE_KEY = 'switchboard:auth-delegate';

/**
 * Authentication by `guard` instead of the global API key check: for a route that accepts
 * another credential besides keys (the codec endpoint, the Web UI's access tokens). Marks
 * the route and attaches the guard in one step, and the global guard defers only to a guard
 * that is attached, so a route can never be left without a check.
 */
export const AuthenticatedBy = (guard: Type<CanActivate>) => applyDecorators(SetMetadata(AUTH_DELEGATE_KEY, guard), UseGuards(guard));
