/**
 * The setup wizard's steps (Catalogizer ids and order, api-003 §18), mapped onto Alcove's
 * real configuration: each form field is named by its config path (e.g. `server.port`), so
 * saved step data is a partial configuration. Fields whose path the schema lacks are left
 * out. Catalogizer's SQL database step becomes an information step about the LMDB index.
 */
export interface WizardField {
  name: string; label: string; type: 'text' | 'number' | 'boolean' | 'select' | 'password';
  required: boolean; default_value?: unknown; options?: string[]; validation?: string;
}

export interface WizardStep {
  id: string; name: string; description: string; type: 'info' | 'form';
  required: boolean; order: number; fields?: WizardField[]; content?: string; dependencies?: string[];
}

const f = (name: string, label: string, type: WizardField['type'], extra: Partial<WizardField> = {}): WizardField =>
  ({ name, label, type, required: false, ...extra });

export const WIZARD_STEPS: readonly WizardStep[] = [
  { id: 'welcome', name: 'Welcome', description: 'Set up this Alcove server', type: 'info', required: false, order: 1,
    content: 'This wizard walks through the settings of the server. Every step can be changed later.' },
  { id: 'database', name: 'Index', description: 'Where the catalogue index lives', type: 'info', required: false, order: 2,
    content: 'Alcove keeps its index in an embedded LMDB database inside the state directory: nothing to configure.' },
  { id: 'storage', name: 'Storage scanning', description: 'How storage is scanned', type: 'form', required: false, order: 3, fields: [
    f('scan.onStartup', 'Scan libraries at start', 'boolean'), f('scan.watch', 'Watch local folders for changes', 'boolean'),
    f('scan.localIntervalMinutes', 'Full rescan of local roots (minutes, 0 = off)', 'number'),
    f('scan.remoteIntervalMinutes', 'Rescan of remote roots (minutes, 0 = off)', 'number'),
  ] },
  { id: 'network', name: 'Network', description: 'Listening address and server name', type: 'form', required: true, order: 4, fields: [
    f('server.name', 'Server name', 'text', { required: true }), f('server.host', 'Listen address', 'text'),
    f('server.port', 'Port', 'number', { validation: '0..65535' }),
  ] },
  { id: 'authentication', name: 'Authentication', description: 'Accounts, sessions and rate limits', type: 'form', required: true, order: 5, fields: [
    f('auth.registration', 'Self-registration', 'select', { options: ['closed', 'open'] }),
    f('auth.sessionTtlHours', 'Session lifetime (hours)', 'number'), f('auth.minPasswordLength', 'Minimum password length', 'number'),
    f('rateLimits.authPerMinute', 'Auth requests per minute per IP', 'number'), f('rateLimits.apiPerMinute', 'API requests per minute per IP', 'number'),
  ], dependencies: ['network'] },
  { id: 'features', name: 'Features', description: 'Logging, transcoding and media processing', type: 'form', required: false, order: 6, fields: [
    f('log.level', 'Log level', 'select', { options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }),
    f('transcode.maxSessions', 'Concurrent transcodes', 'number'), f('media.probeConcurrency', 'Concurrent probes', 'number'),
    f('media.thumbnailConcurrency', 'Concurrent thumbnails', 'number'),
  ] },
  { id: 'external_services', name: 'External services', description: 'Online metadata providers', type: 'form', required: false, order: 7, fields: [
    f('metadata.tmdbApiKey', 'TMDb API key', 'password'), f('metadata.tmdbUrl', 'TMDb API URL', 'text'), f('metadata.language', 'Metadata language', 'text'),
  ] },
  { id: 'summary', name: 'Summary', description: 'Review the settings', type: 'info', required: false, order: 8, content: 'Check the settings, then complete the wizard.' },
  { id: 'complete', name: 'Complete', description: 'Apply the configuration', type: 'info', required: false, order: 9, content: 'The configuration is saved and applied.' },
];
