/** DI token for the validated `AppConfig` (a plain object, so it needs a symbol). */
export const APP_CONFIG = Symbol('APP_CONFIG');
