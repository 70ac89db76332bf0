/**
 * @saltmq/common: what the master and the minion share. Named re-exports only; the list is the API.
 * @module
 */
export { CodedError, ConfigError, BadMessageError, BadIdError, UnknownFunctionError, InvocationError, messageOf } from './errors.js';
export type { ErrorCode } from './errors.js';
export { createLogger, SILENT_LOGGER, LOG_LEVELS } from './log.js';
export type { Logger, LogLevel, LogMeta, LoggerOptions } from './log.js';
export { nowMicros, saltStamp, JidFactory, isJid, jidToMicros, jidToTime, asctime } from './time.js';
export { pyJsonDumps } from './py-json.js';
export type { PyJsonOptions } from './py-json.js';
export { idProblem, assertValidId, MAX_ID_BYTES } from './ids.js';
export { fnmatch, fnmatchToRegExp, exprMatch, isGlob } from './match/fnmatch.js';
export { writeFileAtomic, syncDir, ensureDir } from './fs/atomic.js';
export { generateKeyPair, normalizePublicPem, pemFingerprint, publicKeyToPem, samePublicKey, toLf, DEFAULT_KEYSIZE } from './crypto/keys.js';
export type { KeyPairPem } from './crypto/keys.js';
export { signText, verifyText } from './crypto/sign.js';
export { makeSelfSignedCert } from './crypto/cert.js';
export { readConfigDir } from './config/read.js';
export type { RawConfig } from './config/read.js';
export { validateConfig } from './config/validate.js';
export {
  PRIVATE_ROOT,
  MINION_INBOX,
  MINION_OUTBOX,
  MASTER_FILTERS,
  minionTopic,
  adminTopic,
  parsePrivateTopic,
  callClientId,
  parseCallClientId,
  callTopic,
  parseCallTopic,
  isBusTopic,
  tags,
  tagProblem,
  MAX_TAG_BYTES,
} from './protocol/topics.js';
export type { MinionChannel, AdminChannel, CallChannel, PrivateTopic } from './protocol/topics.js';
export {
  credentialStatement,
  parseCredentials,
  parseKeyNotice,
  parseJobEnvelope,
  parseJobBody,
  parseResponse,
  parseReturn,
  parseEvent,
  parseRequest,
  encode,
} from './protocol/messages.js';
export type {
  Json,
  MinionCredentials,
  KeyNotice,
  JobBody,
  JobEnvelope,
  ResponseMessage,
  ReturnMessage,
  EventMessage,
  RequestMessage,
} from './protocol/messages.js';
export { AppendLog } from './store/append-log.js';
export type { LogEntry, AppendLogOptions } from './store/append-log.js';
export { parseCliArgs, splitArgs, parseKwarg, yamlifyArg, listArg, pillarArg } from './args/index.js';
export type { ParseCliArgsOptions } from './args/index.js';
export { matchTarget, resolveTarget, compileTarget, evaluateTarget, parseCompound, TargetError, DEFAULT_TARGET_DELIM } from './target/index.js';
export type { TargetType, TermType, TargetCandidate, TargetOptions, TargetTerm, CompoundAst } from './target/index.js';
export {
  formatNested,
  formatHighstate,
  formatJson,
  formatYaml,
  formatTxt,
  formatRaw,
  formatNoReturn,
  formatKeyList,
  formatKeyValues,
  getOutputter,
  isOutputterName,
  printout,
  displayText,
  OUTPUTTERS,
  UnknownOutputterError,
  pyYamlSafeDump,
} from './output/index.js';
export type { OutputOptions, StateOutputMode, Outputter, OutputterName } from './output/index.js';
export { SlsRenderer, RENDER_DEFAULTS, TemplateError, SALT_YAML_SCHEMA, templateArgs } from './render/index.js';
export type { RenderContext, SlsRendererOptions, RenderPhase, TemplateErrorDetails, SaltFunctionTable } from './render/index.js';
export {
  buildHighState,
  compileHighData,
  compileReactions,
  runChunks,
  stateRetcode,
  testStates,
  genTag,
  SlsFile,
  STATE_REQUISITE_KEYWORDS,
  STATE_REQUISITE_IN_KEYWORDS,
} from './state-engine/index.js';
export type { HighData, Chunk, CompileResult, StateResult, ChunkReturn, StateRunContext, StateFunction, RunOptions, SlsLoader } from './state-engine/index.js';
export { parseSaltUrl, cleanRelPath, cleanSaltenv, SaltPathError, MAX_PATH_CHARS, MAX_SALTENV_CHARS } from './protocol/salt-path.js';
export type { SaltUrl } from './protocol/salt-path.js';
export {
  FileServer,
  DEFAULT_CHUNK_BYTES as FILE_CHUNK_BYTES,
  MAX_CHUNK_BYTES as MAX_FILE_CHUNK_BYTES,
  chunkBytesFor,
  FileRoots,
  resolveRequest,
  WILDCARD_ENV,
  isInside as isInsideRoot,
  FileServerError,
} from './fileserver/index.js';
export type { FileStat, FileChunk, FileServerOptions, FoundFile } from './fileserver/index.js';
export { PillarCompiler, mergePillar } from './pillar/pillar.js';
export type { PillarResult } from './pillar/pillar.js';
export { parseServiceArgs, loadServiceConfig, openServiceLog } from './service-cli.js';
export type { ServiceArgs } from './service-cli.js';
export { underRoot } from './config/under-root.js';
