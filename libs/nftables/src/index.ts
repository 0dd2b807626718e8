export { MAX_TIMEOUT_SECONDS, layoutNetworks, prepareBans, renderTimeout, type Ban, type BanElement, type NetworkLayout, type PreparedBans } from './ban-element';
export { BanTargetValidator, SET_NAMES, isRefusal, type BanTarget, type Refusal, type SetName } from './ban-target.validator';
export { DEFAULT_ENFORCER_CONFIG, resolveEnforcerConfig, type EnforcerAction, type EnforcerConfig, type EnforcerHook, type PortFilter } from './enforcer.config';
export { parseCounter, parseElements, parseTableShape, type Counter, type EnforcedElement } from './nft-json.parse';
export { NftSessionRunner } from './nft-session.runner';
export { NftCli, NftError, execNft, type NftCommandOptions, type NftRunner } from './nft.runner';
export { NftablesEnforcer, type ApplyResult, type BanDelta, type EnsureResult } from './nftables.enforcer';
export { renderDelta, renderEnsure, renderRemove, renderSnapshot } from './ruleset.render';
