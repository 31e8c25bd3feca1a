/** Decisions: the policy that turns threats into remediations (pure), and the text forms they travel in. */
export * from './config.js';
export * from './duration.js';
export * from './policy.js';
export * from './target.js';
export * from './maker.js';
