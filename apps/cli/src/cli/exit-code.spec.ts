import { describe, expect, it } from 'vitest';
import { ApiError, UnreachableError, apiErrorFrom } from '../http/api-error';
import { UsageError } from './cli-command';
import { EXIT, describeFailure, exitCodeFor, exitCodeForStatus } from './exit-code';

describe('exit codes', () => {
  it('maps statuses: 401 and 403 to 4, every other error status to 1', () => {
    expect([400, 401, 403, 404, 409, 429, 500, 503].map(exitCodeForStatus)).toEqual([1, 4, 4, 1, 1, 1, 1, 1]);
  });

  it('maps failures: usage 2, unreachable 3, API errors by status, anything else 1', () => {
    expect(exitCodeFor(new UsageError('x'))).toBe(EXIT.usage);
    expect(exitCodeFor(new UnreachableError('http://h:1', 'ECONNREFUSED'))).toBe(EXIT.unreachable);
    expect(exitCodeFor(new ApiError(403, 'forbidden', 'viewer'))).toBe(EXIT.auth);
    expect(exitCodeFor(new ApiError(409, 'allowlisted', 'x'))).toBe(EXIT.server);
    expect(exitCodeFor(new Error('bug'))).toBe(EXIT.server);
  });
});

describe('describeFailure', () => {
  it('says which URL could not be reached and what to check', () => {
    const text = describeFailure(new UnreachableError('http://127.0.0.1:9', 'connect ECONNREFUSED 127.0.0.1:9'));
    expect(text).toContain('http://127.0.0.1:9');
    expect(text).toContain('--url or FLEETBAN_URL');
    expect(text).toContain('fleetban-server is running');
  });

  it('tells a 401 to pass a token and a 403 that viewers cannot write', () => {
    expect(describeFailure(new ApiError(401, 'unauthorized', 'missing token'))).toMatch(/--token or FLEETBAN_TOKEN/);
    expect(describeFailure(new ApiError(403, 'forbidden', 'viewer tokens are read-only'))).toMatch(/viewer tokens are read-only.*\n.*admin token/);
  });

  it("prints the server's message, code and field; the command's hint wins over the generic advice", () => {
    const error = new ApiError(409, 'allowlisted', '192.0.2.1 is allowlisted by entry 3 (10.0.0.0/8)');
    expect(describeFailure(error, { allowlisted: 'remove the entry first' })).toBe('192.0.2.1 is allowlisted by entry 3 (10.0.0.0/8) [409 allowlisted]\nremove the entry first');
    expect(describeFailure(new ApiError(404, 'not_found', 'no jail x'), { 404: 'list jails' })).toContain('\nlist jails');
    expect(describeFailure(new ApiError(400, 'invalid', 'must be >= 0', 'duration'))).toBe('must be >= 0 (field: duration) [400 invalid]\nFix the value of duration and try again.');
    expect(describeFailure(new ApiError(429, 'rate_limited', 'slow down', undefined, 7))).toContain('try again in 7s');
    expect(describeFailure(new ApiError(502, 'http_502', '502 Bad Gateway'))).toContain('its log');
  });
});

describe('apiErrorFrom', () => {
  it("reads the API's error object", () => {
    const error = apiErrorFrom(400, 'Bad Request', JSON.stringify({ error: { code: 'invalid', message: 'ip: not an address', field: 'ip' } }), null);
    expect(error).toMatchObject({ status: 400, code: 'invalid', message: 'ip: not an address', field: 'ip' });
  });

  it('falls back to the status line and a short text body; ignores HTML', () => {
    expect(apiErrorFrom(502, 'Bad Gateway', '<html>nginx</html>', null)).toMatchObject({ code: 'http_502', message: '502 Bad Gateway' });
    expect(apiErrorFrom(500, 'Internal Server Error', 'boom', null).message).toBe('500 Internal Server Error: boom');
    expect(apiErrorFrom(429, 'Too Many Requests', '{}', '30')).toMatchObject({ retryAfter: 30 });
  });
});
