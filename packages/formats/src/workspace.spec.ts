import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { locateWorkspaceRoot, workspaceLayout, workspaceRelative } from './workspace';

describe('locateWorkspaceRoot', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'cvae-ws-'));
  const deep = path.join(root, 'packages', 'model', 'src');
  mkdirSync(deep, { recursive: true });
  writeFileSync(path.join(root, 'nx.json'), '{}');

  it('is the nearest directory holding nx.json, from any subdirectory', () => {
    expect(locateWorkspaceRoot(deep)).toBe(root);
    expect(locateWorkspaceRoot(root)).toBe(root);
  });

  it('is $CVAE_WORKSPACE when given (relative to the working directory)', () => {
    expect(locateWorkspaceRoot(deep, '../..')).toBe(path.join(root, 'packages'));
  });

  it('is the working directory when no nx.json is above it', () => {
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'cvae-no-ws-'));
    expect(locateWorkspaceRoot(elsewhere)).toBe(elsewhere);
  });

  it('lays out runs/ and reports/ under the root', () => {
    expect(workspaceLayout(root)).toMatchObject({ runs: path.join(root, 'runs'), reports: path.join(root, 'reports') });
    expect(workspaceRelative(path.join(root, 'runs', 'x'), root)).toBe('runs/x');
    expect(workspaceRelative('/elsewhere/x', root)).toBe('/elsewhere/x');
  });
});
