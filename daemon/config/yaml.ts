/**
 * The YAML library, loaded on first use. Most daemons run without a config file or a
 * configuration overlay, and yaml is ~1 MB of heap held for the process's lifetime once
 * imported; every caller is already async.
 */
type Yaml = typeof import('yaml');

let yaml: Promise<Yaml> | undefined;

/** The `yaml` module (one import for the whole process). */
export function loadYaml(): Promise<Yaml> {
  return (yaml ??= import('yaml'));
}
