/** containerd's release number as a node reports it ("1.6.20~ds1", "v2.1.3", "containerd containerd.io 1.7.27 ..."). */

export interface ContainerdRelease {
  major: number;
  minor: number;
}

/** The first `MAJOR.MINOR` in `version`, or null when there is none (or the version is unknown). */
export function containerdRelease(version: string | null): ContainerdRelease | null {
  const match = /(?:^|[^\d.])v?(\d+)\.(\d+)/.exec(version ?? '');
  if (match === null) return null;
  return { major: Number(match[1]), minor: Number(match[2]) };
}

/** True when `version` is known and at least `major.minor`. */
export function releaseAtLeast(version: string | null, major: number, minor: number): boolean {
  const release = containerdRelease(version);
  if (release === null) return false;
  return release.major > major || (release.major === major && release.minor >= minor);
}
