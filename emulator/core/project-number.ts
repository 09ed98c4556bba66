/** A stable 12-digit project number for a project id (Google's numbers are opaque too). */
export function projectNumber(project: string): number {
  if (/^\d+$/.test(project)) return Number(project);
  let h = 0;
  for (const c of project) h = (h * 31 + c.charCodeAt(0)) % 900_000_000_000;
  return 100_000_000_000 + h;
}
