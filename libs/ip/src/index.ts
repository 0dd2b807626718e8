export { formatIp, ipVersion, normalizeIp, parseIp, type IpVersion, type ParsedIp } from './address';
export { cidrContainsCidr, cidrContainsIp, cidrsOverlap, formatCidr, isSingleAddress, normalizeCidr, parseCidr, type Cidr } from './cidr';
export { CidrSet } from './cidr-set';
