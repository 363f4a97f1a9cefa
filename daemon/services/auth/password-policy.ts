/**
 * Password policy: length only (NIST 800-63B style; no composition rules). Defaults follow
 * Media Viewer: 6..72 characters. Lengths are counted in Unicode code points.
 */
import { ValidationError } from '../../domain/errors.js';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

export const DEFAULT_PASSWORD_POLICY: Readonly<PasswordPolicy> = Object.freeze({ minLength: 6, maxLength: 72 });

/** Merge a partial policy over the defaults; rejects nonsensical values early (config time). */
export function resolvePasswordPolicy(partial: Partial<PasswordPolicy> = {}): PasswordPolicy {
  const policy = { ...DEFAULT_PASSWORD_POLICY, ...partial };
  if (!Number.isInteger(policy.minLength) || policy.minLength < 1) throw new RangeError('password minLength must be >= 1');
  if (!Number.isInteger(policy.maxLength) || policy.maxLength < policy.minLength) throw new RangeError('password maxLength must be >= minLength');
  return policy;
}

/**
 * Asserts `password` is a string within the policy; otherwise throws a ValidationError
 * whose message can be shown to the user as is. `field` names the offending field.
 */
export function assertPasswordPolicy(
  password: unknown, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY, field = 'password',
): asserts password is string {
  if (typeof password !== 'string' || password.length === 0) {
    throw new ValidationError('Password is required', { field });
  }
  const length = [...password].length;
  if (length < policy.minLength) {
    throw new ValidationError(`Password must be at least ${policy.minLength} characters`, { field, minLength: policy.minLength });
  }
  if (length > policy.maxLength) {
    throw new ValidationError(`Password must not exceed ${policy.maxLength} characters`, { field, maxLength: policy.maxLength });
  }
}
