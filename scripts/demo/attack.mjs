// The demo's scripted attack: who does what on which PBX, written as the security log lines Asterisk would write,
// and what fleetban is expected to do about each attacker.

const securityLine = (type, ip, account, session, extra = '') => {
  const now = new Date();
  const tv = now.toISOString().replace('Z', '+0000');
  return `[${now.toISOString().replace('T', ' ').slice(0, 19)}] SECURITY[4242] res_security_log.c: SecurityEvent="${type}",EventTV="${tv}",Severity="Error",Service="PJSIP",EventVersion="1",AccountID="${account}",SessionID="${session}",LocalAddress="IPV4/UDP/192.0.2.10/5060",RemoteAddress="IPV4/UDP/${ip}/5060"${extra}\n`;
};

/** The SIP trunk provider: allowlisted before the attack, so its failures never ban it. */
export const TRUNK = '203.0.113.200';

/** Each scene's `lines()` is called when it is played, so the lines carry the time they are written. */
export const SCENES = [
  { title: 'a SIP scanner guesses extensions on pbx-1', ip: '203.0.113.10', expectBan: true, lines: () => [100, 101, 102, 103, 104].map((ext, i) => ['pbx-1', securityLine('InvalidAccountID', '203.0.113.10', String(ext), `scan-${i}@203.0.113.10`)]) },
  { title: 'a password guesser tries extension 200 on pbx-2', ip: '198.51.100.23', expectBan: true, lines: () => [0, 1, 2, 3].map((i) => ['pbx-2', securityLine('ChallengeResponseFailed', '198.51.100.23', '200', `guess-${i}@198.51.100.23`, `,Challenge="1732890000/nonce${i}",Response="resp${i}",ExpectedResponse=""`)]) },
  { title: 'a slow scanner touches each PBX once', ip: '192.0.2.77', expectBan: true, lines: () => ['pbx-1', 'pbx-2', 'pbx-3'].map((pbx, i) => [pbx, securityLine('InvalidAccountID', '192.0.2.77', `${300 + i}`, `slow-${i}@192.0.2.77`)]) },
  { title: "the trunk provider's address fails a few times (it is allowlisted)", ip: TRUNK, expectBan: false, lines: () => [0, 1, 2, 3].map((i) => ['pbx-3', securityLine('ChallengeResponseFailed', TRUNK, 'trunk', `trunk-${i}@${TRUNK}`)]) },
];
