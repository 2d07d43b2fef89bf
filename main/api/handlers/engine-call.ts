import { KubeError } from '../../kube/errors';
import { ApiFailure } from '../dispatch';

/** Runs engine work for a handler: engine errors keep their kind as the wire code ('not-found' → 'not_found'); their message already says what to do. */
export async function engine<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof KubeError) throw new ApiFailure(err.kind.replace(/-/g, '_'), err.message);
    throw err;
  }
}
