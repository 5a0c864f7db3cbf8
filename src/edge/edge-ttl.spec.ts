import { loadAppConfig } from '../config/app-config';
import { edgeTtlSeconds, KIND_TTL_DEFAULTS } from './edge-ttl';

describe(edgeTtlSeconds.name, () => {
  it('returns the TTL of a kind of the service, unless overridden', () => {
    const { edge } = loadAppConfig({ EDGE_TTL_TEACHERS: '5' });
    expect(edgeTtlSeconds(edge, 'schools')).toBe(KIND_TTL_DEFAULTS.schools);
    expect(edgeTtlSeconds(edge, 'dashboard')).toBe(30);
    expect(edgeTtlSeconds(edge, 'teachers')).toBe(5);
  });

  it('returns EDGE_TTL_DEFAULT for a kind without a TTL of its own, and its override when there is one', () => {
    const { edge } = loadAppConfig({ EDGE_TTL_DEFAULT: '7', EDGE_TTL_LESSON_PLANS: '0' });
    expect(edgeTtlSeconds(edge, 'subjects')).toBe(7);
    expect(edgeTtlSeconds(edge, 'lesson_plans')).toBe(0);
  });
});
