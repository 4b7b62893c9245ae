/** The effect of a node taint, and so of the toleration for it. */
export class NodeTaintEffect {
  /** Pods without a toleration are not scheduled onto the node. */
  public static readonly NO_SCHEDULE = new NodeTaintEffect('NoSchedule');
  /** The scheduler avoids the node for pods without a toleration, but may still use it. */
  public static readonly PREFER_NO_SCHEDULE = new NodeTaintEffect('PreferNoSchedule');
  /** Pods without a toleration are not scheduled and running ones are evicted. */
  public static readonly NO_EXECUTE = new NodeTaintEffect('NoExecute');

  /** All effects. */
  public static readonly ALL: NodeTaintEffect[] = [NodeTaintEffect.NO_SCHEDULE, NodeTaintEffect.PREFER_NO_SCHEDULE, NodeTaintEffect.NO_EXECUTE];

  // The Kubernetes value stays private: TenantNamespace renders it into the toleration through `_render`.
  private constructor(private readonly value: string) {}

  /**
   * The Kubernetes value, for example `NoSchedule`.
   * @internal
   */
  public _render(): string {
    return this.value;
  }
}
