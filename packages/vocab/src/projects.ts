const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A project name: letters, digits, ".", "_" or "-", at most 64, starting with a letter or digit. */
export function validProjectName(project: string): boolean {
  return PROJECT_NAME.test(project);
}
