/**
 * How the objects of an Application folder are split into files. Either way the folder has a
 * kustomization.yaml listing its files, and kustomize patches keep a file of their own.
 */
export class FileLayout {
  /**
   * One file per object, `<kind>-<name>.yaml`: a change to one object is a change to one file.
   */
  public static readonly FILE_PER_RESOURCE = new FileLayout('resource');

  /**
   * One multi-document file per Application folder, `manifests.yaml`, objects in dependency order (cdk8s'
   * own default is likewise a file per chart). A tree of a few hundred objects becomes a few dozen files,
   * which matters where creating a file is slow: the whole tree is rewritten on every synth.
   */
  public static readonly FILE_PER_APPLICATION = new FileLayout('application');

  /** The name of the file holding a folder's objects in FILE_PER_APPLICATION. */
  public static readonly APPLICATION_FILE_NAME = 'manifests.yaml';

  // Compared by identity (no public name to switch on); the name stays private.
  private constructor(private readonly name: string) {}

  /**
   * The layout's name (`resource` or `application`), for messages and tests.
   * @internal
   */
  public _render(): string {
    return this.name;
  }
}
