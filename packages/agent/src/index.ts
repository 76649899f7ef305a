export { parseAgentConfig } from './config/parse-agent-config.js';
export type { ParseAgentConfigOptions } from './config/parse-agent-config.js';
export { AgentConfigError } from './config/problems.js';
export type {
  AgentConfig,
  AuthMethodConfig,
  AutoAuthConfig,
  FileSinkConfig,
  TemplateConfig,
  TemplateSettings,
  VaultConnection,
} from './config/agent-config.js';
export { runAgent } from './run-agent.js';
export type { RunAgentOptions } from './run-agent.js';
export { compileTemplate } from './template/template.js';
export type { CompiledTemplate, CompileOptions, RenderOptions } from './template/template.js';
export { TemplateError } from './template/template-error.js';
