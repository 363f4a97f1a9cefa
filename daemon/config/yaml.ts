/**
 * The YAML library, loaded on first use: when a config file, the configuration overlay or
 * the Media Reviewer's YAML is read or written. A first start without a config file never
 * needs it; the review YAML, written at the first start, brings it in at later starts.
 * Every caller is already async.
 */
type Yaml = typeof import('yaml');

let yaml: Promise<Yaml> | undefined;

/** The `yaml` module (one import for the whole process). */
export function loadYaml(): Promise<Yaml> {
  return (yaml ??= import('yaml'));
}
