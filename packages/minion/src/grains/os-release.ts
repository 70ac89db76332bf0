import type { Json } from '@saltmq/common';

/**
 * Parses an os-release file (freedesktop.org) like Python's platform.freedesktop_os_release, which
 * Salt reads: KEY=value lines, optional quotes, shell escapes removed. NAME, ID and PRETTY_NAME default.
 */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = { NAME: 'Linux', ID: 'linux', PRETTY_NAME: 'Linux' };
  for (const line of text.split('\n')) {
    const m = /^(\w+)=(?:'|")?(.*?)(?:'|")?$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.replace(/\\([$"'\\`])/g, '$1');
  }
  return out;
}

// Salt's _OS_NAME_MAP: the first ten characters (no spaces, lowercased) of the name → the 'os' grain.
const OS_NAME_MAP: Record<string, string> = {
  redhatente: 'RedHat', gentoobase: 'Gentoo', archarm: 'Arch ARM', arch: 'Arch', debian: 'Debian', raspbian: 'Raspbian',
  fedoraremi: 'Fedora', chapeau: 'Chapeau', korora: 'Korora', amazonami: 'Amazon', alt: 'ALT', enterprise: 'OEL',
  oracleserv: 'OEL', cloudserve: 'CloudLinux', cloudlinux: 'CloudLinux', almalinux: 'AlmaLinux', pidora: 'Fedora',
  scientific: 'ScientificLinux', synology: 'Synology', nilrt: 'NILinuxRT', poky: 'Poky', manjaro: 'Manjaro',
  manjarolin: 'Manjaro', univention: 'Univention', antergos: 'Antergos', sles: 'SUSE', void: 'Void', slesexpand: 'RES',
  linuxmint: 'Mint', neon: 'KDE neon', pop: 'Pop', rocky: 'Rocky', alibabaclo: 'Alinux', mendel: 'Mendel',
};

// Salt's _OS_FAMILY_MAP: 'os' grain → 'os_family'. An os missing here falls back to the os-release family.
const OS_FAMILY_MAP: Record<string, string> = {
  Ubuntu: 'Debian', Fedora: 'RedHat', Chapeau: 'RedHat', Korora: 'RedHat', FedBerry: 'RedHat', CentOS: 'RedHat',
  'CentOS Stream': 'RedHat', GoOSe: 'RedHat', Scientific: 'RedHat', Amazon: 'RedHat', CloudLinux: 'RedHat',
  AlmaLinux: 'RedHat', OVS: 'RedHat', OEL: 'RedHat', XCP: 'RedHat', 'XCP-ng': 'RedHat', XenServer: 'RedHat',
  RES: 'RedHat', Sangoma: 'RedHat', 'VMware Photon OS': 'RedHat', Mandrake: 'Mandriva', Mint: 'Debian',
  VMwareESX: 'VMware', Bluewhite64: 'Bluewhite', Slamd64: 'Slackware', SLES: 'Suse', 'SUSE Enterprise Server': 'Suse',
  SLED: 'Suse', openSUSE: 'Suse', SUSE: 'Suse', 'openSUSE Leap': 'Suse', 'openSUSE Tumbleweed': 'Suse', SLES_SAP: 'Suse',
  'Arch ARM': 'Arch', Manjaro: 'Arch', 'Manjaro ARM': 'Arch', Antergos: 'Arch', EndeavourOS: 'Arch', ALT: 'RedHat',
  Trisquel: 'Debian', GCEL: 'Debian', Linaro: 'Debian', 'elementary OS': 'Debian', elementary: 'Debian',
  Univention: 'Debian', ScientificLinux: 'RedHat', Raspbian: 'Debian', Devuan: 'Debian', antiX: 'Debian', Kali: 'Debian',
  'Parrot OS': 'Debian', neon: 'Debian', Cumulus: 'Debian', Deepin: 'Debian', NILinuxRT: 'NILinuxRT', 'KDE neon': 'Debian',
  Void: 'Void', IDMS: 'Debian', Funtoo: 'Gentoo', TurnKey: 'Debian', Pop: 'Debian', Rocky: 'RedHat',
  AstraLinuxCE: 'Debian', AstraLinuxSE: 'Debian', Alinux: 'RedHat', Mendel: 'Debian', OSMC: 'Debian',
};

const ID_AND_NAME_MAP: Record<string, string> = {
  'astra|Astra Linux (Orel)': 'AstraLinuxCE',
  'astra|Astra Linux (Smolensk)': 'AstraLinuxSE',
  'pop|Pop!_OS': 'Pop',
};

/** Salt's _derive_os_grain: 'Debian GNU/Linux' → 'Debian', 'Rocky Linux' → 'Rocky'. */
export function deriveOsGrain(fullname: string, id?: string): string {
  const pinned = ID_AND_NAME_MAP[`${id ?? ''}|${fullname}`];
  if (pinned) return pinned;
  const distro = fullname.replace(/\W(?:gnu\/)?linux/gi, '').trim();
  return OS_NAME_MAP[distro.replace(/ /g, '').toLowerCase().slice(0, 10)] ?? distro;
}

// Salt's _family_id: the oldest ancestor in ID_LIKE; anything Debian- or Ubuntu-like is Debian.
function familyId(id: string, idLike: string | undefined): string {
  if (!idLike) return id;
  const like = [id, ...idLike.split(/\s+/).filter(Boolean)];
  if (like.includes('debian') || like.includes('ubuntu')) return 'debian';
  return like[like.length - 1]!;
}

/** The os, os_family, osfullname, osrelease, oscodename grains and those derived from osrelease. */
export function osReleaseGrains(release: Record<string, string>): Record<string, Json> {
  const name = release.NAME ?? 'Linux';
  const id = release.ID ?? 'linux';
  const os = deriveOsGrain(name, id);
  const family = familyId(id, release.ID_LIKE);
  const grains: Record<string, Json> = {
    os,
    os_family: OS_FAMILY_MAP[os] ?? (family === 'fedora' ? 'RedHat' : family.charAt(0).toUpperCase() + family.slice(1).toLowerCase()),
    osfullname: name.trim(),
  };
  const codename = release.VERSION_CODENAME ?? /\d[\d.+\-a-z]* \((.+)\)/.exec(release.VERSION ?? '')?.[1];
  if (codename) grains.oscodename = codename;
  const osrelease = release.VERSION_ID;
  if (osrelease) Object.assign(grains, { osrelease }, osReleaseData(os, name.trim(), osrelease));
  return grains;
}

/** Salt's _osrelease_data: osrelease_info, osmajorrelease and osfinger. */
export function osReleaseData(os: string, fullname: string, osrelease: string): Record<string, Json> {
  const info: Json[] = osrelease.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const grains: Record<string, Json> = { osrelease_info: info };
  const major = Number(info[0]);
  if (Number.isInteger(major)) grains.osmajorrelease = major;
  const finger = ['Debian', 'FreeBSD', 'OpenBSD', 'NetBSD', 'Mac', 'Raspbian'].includes(os) ? os : fullname;
  grains.osfinger = `${finger}-${os === 'Ubuntu' || os === 'Pop' ? osrelease : String(info[0])}`;
  return grains;
}

/** /etc/lsb-release as Salt's lsb_distrib_* grains (Ubuntu ships it; Debian usually does not). */
export function parseLsbRelease(text: string): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const line of text.split('\n')) {
    const m = /^(DISTRIB_(?:ID|RELEASE|CODENAME|DESCRIPTION))=(?:'|")?([\w\s.\-_]+)(?:'|")?/.exec(line);
    if (m) out[`lsb_${m[1]!.toLowerCase()}`] = m[2]!.trimEnd();
  }
  return out;
}
