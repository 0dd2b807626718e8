export { MAX_TIMEOUT_SECONDS, SET_NAMES, layoutNetworks, prepareBans, protectedNetworks, renderTimeout, type Ban, type BanElement, type Refusal, type SetName } from './ban-element';
export { DEFAULT_ENFORCER_CONFIG, resolveEnforcerConfig, type EnforcerAction, type EnforcerConfig, type EnforcerHook, type PortFilter } from './enforcer.config';
export { parseCounter, parseElements, parseTableShape, type Counter, type EnforcedElement } from './nft-json.parse';
export { NftSessionRunner } from './nft-session.runner';
export { NftCli, NftError, execNft, type NftCommandOptions, type NftRunner } from './nft.runner';
export { NftablesEnforcer, type ApplyResult, type BanDelta, type EnsureResult } from './nftables.enforcer';
export { renderDelta, renderEnsure, renderRemove, renderSnapshot } from './ruleset.render';
