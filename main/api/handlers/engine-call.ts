import { KubeError } from '../../kube/errors';
import { ApiFailure } from '../dispatch';

/** Runs engine work for a handler: engine errors keep their kind as the wire code ('not-found' → 'not_found'); their message already says what to do, and a way out the app can offer travels as the hint. */
export async function engine<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    // A 'force' hint goes to the app, which offers the forced call beside the refusal.
    if (err instanceof KubeError) throw new ApiFailure(err.kind.replace(/-/g, '_'), err.message, err.hint === 'force' ? 'force' : undefined);
    throw err;
  }
}
