import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import { httpStatus } from './errors';

/** client-node's generic object client, plus the discovery lookup it keeps to itself. */
export class ObjectApi extends KubernetesObjectApi {
  static forConfig(kc: KubeConfig): ObjectApi {
    const api = kc.makeApiClient(ObjectApi);
    api.setDefaultNamespace(kc);
    return api;
  }

  /** Whether the cluster serves `kind` in `apiVersion` (false when the group is absent). */
  async serves(apiVersion: string, kind: string): Promise<boolean> {
    try {
      return (await this.resource(apiVersion, kind)) !== undefined;
    } catch (err) {
      if (httpStatus(err) === 404) return false;
      throw err;
    }
  }

  /** The REST path of one object (e.g. /apis/apps/v1/namespaces/x/deployments/web), via discovery. */
  async objectPath(obj: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }): Promise<string> {
    return this.specUriPath({ apiVersion: obj.apiVersion, kind: obj.kind, metadata: { name: obj.metadata.name, namespace: obj.metadata.namespace } }, 'patch');
  }

  /** Whether the kind is namespaced; undefined when the cluster does not serve it. */
  async namespaced(apiVersion: string, kind: string): Promise<boolean | undefined> {
    try {
      return (await this.resource(apiVersion, kind))?.namespaced;
    } catch (err) {
      if (httpStatus(err) === 404) return undefined;
      throw err;
    }
  }
}
