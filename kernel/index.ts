/**
 * @module starmodel
 * The public API of the StarModel kernel. Plugins import from here only.
 */
export { z } from 'zod';
export { Entity, domId, event, field, metaOf, versionOf } from './entity.js';
export type { AccessRules, ElementMode, EntityClass, EventArgs, EventMethod, EventName, EventOptions, FieldOptions, IdentifyContext, Scope, SignalName } from './entity.js';
export { EntityRegistry, describeEntity } from './registry.js';
export type { ArgMeta, EntityMeta, EventKind, EventMeta } from './registry.js';
export { Kernel } from './kernel.js';
export type { KernelOptions, LoadedPlugin, PluginApi, Services } from './kernel.js';
export type { DispatchInput } from './binding.js';
export type { Actor, Change, Command, CommandRecord, DispatchContext, DispatchResult, ElementPatch, StepResult, UnitOfWork } from './change.js';
export { KernelHooks, pluginHooks, describeTaps } from './hooks.js';
export type { PluginHooks, TapOptions, Tappable } from './hooks.js';
export * from './stages.js';
export { ERROR_CODES, StarmodelError, isStarmodelError, refuse, toStarmodelError } from './errors.js';
export type { ErrorBody, ErrorCode, ErrorDefinition, FieldErrors } from './errors.js';
export { Bus, entityTopic, typeTopic } from './bus.js';
export { currentDispatch, runInDispatch, useDispatchContext } from './context.js';
export type { ChangeListener } from './bus.js';
export { MemoryStore, compareValues, queryRecords } from './memory-store.js';
export type { MemoryStoreOptions } from './memory-store.js';
export { VersionConflict, isVersionConflict } from './store.js';
export type { FindQuery, FindResult, OrderBy, SaveRequest, Store, StoredRecord } from './store.js';
export { applyMergePatch, cloneJson, diffMergePatch, isPlainObject } from './merge-patch.js';
export type { JsonObject } from './merge-patch.js';
export { baseType, coerce, inferSchema, metaFlag, schemaInfo, validateNamed } from './schema.js';
export type { Schema, SchemaInfo } from './schema.js';
export { Html, escapeHtml, html, kRender, raw } from './html.js';
export { GLOBAL_ID, identify } from './identity.js';
export { signalsOf, stateOf, materialize } from './state.js';
export { consoleLogger, redactingLogger } from './logger.js';
export { REDACTED, SENSITIVE_NAME, commandRecord, isSensitiveName, isSensitiveSchema, redact, redactActor, redactArgs, scrubText, sensitive, sensitiveArgs } from './redact.js';
export type { RedactOptions } from './redact.js';
export type { LogLevel, Logger } from './logger.js';
export { defineConfig, loadConfig, checkConfig } from './config.js';
export type { Dialect, LoadedConfig, StarmodelConfig } from './config.js';
export { createApp } from './app.js';
export type { App, CreateAppOptions, PluginFactory, PluginReport, StarmodelPlugin } from './app.js';
export { planPlugins, locatePackage } from './plugins/plan.js';
export type { PlannedPlugin, PluginSetting, PlanInput } from './plugins/plan.js';
export type { PluginManifest } from './plugins/manifest.js';
export { KERNEL_VERSION } from './version.js';
export * from './datastar/index.js';
export type { CommandContext, CommandModule } from './cli/command.js';
