/**
 * Finding a Python that can run the trainer: the setting first, then CTMSR_PYTHON, then candidates on PATH and in
 * the usual install places. Each candidate is run once with a probe (an argument array, never a shell) that
 * reports its version, torch's version and the devices torch sees.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PythonInfo } from '../../shared/training/types.js';
import { fileKind } from '../imaging/file-kind.js';
import { refusal } from '../../shared/refusals.js';

export const minimumPython = [3, 9] as const;
export const minimumTorch = [1, 13] as const;

// Also checks the trainer's other imports, so that a Python with torch but without PIL is not chosen.
const probeScript = `import json, platform, sys
r = {"executable": sys.executable, "version": platform.python_version(), "missing": []}
for m in ("numpy", "PIL", "yaml"):
    try:
        __import__(m)
    except Exception:
        r["missing"].append({"PIL": "pillow", "yaml": "pyyaml"}.get(m, m))
try:
    import torch
    r["torch"] = torch.__version__
    d = []
    if torch.cuda.is_available():
        d += [{"kind": "cuda", "name": torch.cuda.get_device_name(i)} for i in range(torch.cuda.device_count())]
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        d.append({"kind": "mps", "name": "Apple GPU (MPS)"})
    d.append({"kind": "cpu", "name": "CPU"})
    r["devices"] = d
except Exception as e:
    r["torch"] = None
    r["torchError"] = type(e).__name__ + ": " + str(e)
print(json.dumps(r))`;

export interface Candidate {
  /** How it is shown: the setting, the variable or the command. */
  label: string;
  command: string;
  args: string[];
}

interface ProbeOutput {
  executable: string;
  version: string;
  missing: string[];
  torch: string | null;
  torchError?: string;
  devices?: PythonInfo['devices'];
}

export interface DiscoveryOptions {
  setting?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Seconds a probe may take (importing torch can take a while on a cold disk). */
  timeoutMs?: number;
  /** Absolute paths tried after PATH; default: where installers put python3 on this OS. */
  usualPlaces?: string[];
}

export function candidates(options: DiscoveryOptions = {}): Candidate[] {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const list: Candidate[] = [];
  if (options.setting) list.push({ label: `the setting (${options.setting})`, command: options.setting, args: [] });
  if (env.CTMSR_PYTHON) list.push({ label: `CTMSR_PYTHON (${env.CTMSR_PYTHON})`, command: env.CTMSR_PYTHON, args: [] });
  if (platform === 'win32') {
    list.push({ label: 'py -3', command: 'py', args: ['-3'] }, { label: 'python', command: 'python', args: [] }, { label: 'python3', command: 'python3', args: [] });
  } else {
    list.push({ label: 'python3', command: 'python3', args: [] }, { label: 'python', command: 'python', args: [] });
    const usual = options.usualPlaces ?? (platform === 'darwin' ? ['/opt/homebrew/bin/python3', '/usr/local/bin/python3', '/usr/bin/python3'] : ['/usr/bin/python3', '/usr/local/bin/python3']);
    for (const p of usual) list.push({ label: p, command: p, args: [] });
  }
  return list;
}

function versionAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split(/[.+a-z]/i).map((p) => Number.parseInt(p, 10));
  for (let i = 0; i < minimum.length; i++) {
    const v = Number.isFinite(parts[i]) ? parts[i] : 0;
    if (v !== minimum[i]) return v > minimum[i];
  }
  return true;
}

/** python, python3, python3.12, python3-dbg, pythonw.exe, py (the Windows launcher)… as installers, venvs and pyenv name them. */
const pythonName = /^(py|python[\w.+-]*)(\.exe)?$/i;

/**
 * Whether a command is named as a Python interpreter, as given and with links followed: the probe is passed as
 * `-c <script>`, which any other program (a shell) would run its own way.
 */
export function isPythonName(command: string): boolean {
  if (!pythonName.test(path.basename(command))) return false;
  if (!path.isAbsolute(command)) return true; // a name looked up on PATH, such as python3
  try {
    return pythonName.test(path.basename(realpathSync(command)));
  } catch {
    return true; // missing: the run reports "not found"
  }
}

/** Runs the probe; resolves to the report, or to the reason this candidate cannot train. */
export function probe(candidate: Candidate, timeoutMs = 60_000, env?: NodeJS.ProcessEnv): Promise<ProbeOutput | { problem: string }> {
  if (!isPythonName(candidate.command)) return Promise.resolve({ problem: notPythonName(candidate.command) });
  return new Promise((resolve) => {
    // with env given, PATH lookups use its PATH
    execFile(candidate.command, [...candidate.args, '-c', probeScript], { timeout: timeoutMs, windowsHide: true, maxBuffer: 1 << 20, env }, (error, stdout, stderr) => {
      if (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') return resolve({ problem: 'not found' });
        if (code === 'EACCES') return resolve({ problem: 'not executable' });
        if (error.killed) return resolve({ problem: `did not answer within ${Math.round(timeoutMs / 1000)} s` });
        const said = String(stderr).trim().split('\n').slice(-1)[0];
        return resolve({ problem: `could not run it${said ? `: ${said}` : ''}` });
      }
      const line = String(stdout).trim().split('\n').slice(-1)[0] ?? '';
      try {
        resolve(JSON.parse(line) as ProbeOutput);
      } catch {
        resolve({ problem: `it is not a Python interpreter (it printed ${JSON.stringify(line.slice(0, 80))})` });
      }
    });
  });
}

function notPythonName(command: string): string {
  return `it is not a Python interpreter (a Python is named python, python3, python3.12 or similar; ${path.basename(command)} was not run)`;
}

/** Why this Python cannot run the trainer, or null when it can. */
export function problemOf(report: ProbeOutput): string | null {
  if (!versionAtLeast(report.version, minimumPython)) return `Python ${report.version} is too old (${minimumPython.join('.')} or newer needed)`;
  if (!report.torch) return `Python ${report.version} has no PyTorch (${report.torchError ?? 'import torch failed'})`;
  if (!versionAtLeast(report.torch, minimumTorch)) return `PyTorch ${report.torch} is too old (${minimumTorch.join('.')} or newer needed)`;
  if (report.missing.length) return `Python ${report.version} with PyTorch ${report.torch} lacks ${report.missing.join(', ')}`;
  return null;
}

export function installAdvice(platform: NodeJS.Platform = process.platform): string {
  const packages = 'torch numpy pillow pyyaml';
  if (platform === 'win32')
    return `Install Python 3 from python.org (tick "Add python.exe to PATH"), then run \`py -3 -m pip install ${packages}\` (for an NVIDIA GPU, take the CUDA command from pytorch.org). Or set Settings → Python interpreter to a python.exe that has PyTorch.`;
  if (platform === 'darwin')
    return `Install Python 3 (python.org or \`brew install python\`), then run \`python3 -m pip install ${packages}\`; PyTorch uses the Apple GPU (MPS) by itself. Or set Settings → Python interpreter to a python3 that has PyTorch.`;
  return `Install PyTorch for Python 3: \`sudo apt install python3-torch python3-pil python3-yaml\` on Debian/Ubuntu, or \`python3 -m pip install ${packages}\` (for an NVIDIA GPU, take the CUDA command from pytorch.org). Or set Settings → Python interpreter to a python3 that has PyTorch.`;
}

/** The first candidate that can train, with what it reported; otherwise every candidate's problem and advice. */
export async function discoverPython(options: DiscoveryOptions = {}): Promise<PythonInfo> {
  const tried: PythonInfo['tried'] = [];
  const seen = new Set<string>();
  for (const candidate of candidates(options)) {
    // the setting is what the user asked for: a broken one is reported, not silently replaced by another
    const isSetting = Boolean(options.setting) && candidate.command === options.setting;
    const report = await probe(candidate, options.timeoutMs, options.env);
    if ('problem' in report) {
      tried.push({ candidate: candidate.label, problem: report.problem });
      if (isSetting) break;
      continue;
    }
    if (seen.has(report.executable)) continue;
    seen.add(report.executable);
    const problem = problemOf(report);
    tried.push({ candidate: candidate.label, problem });
    if (!problem) return { ok: true, python: report.executable || candidate.command, version: report.version, torch: report.torch, devices: report.devices ?? [], tried, advice: null };
    if (isSetting) break;
  }
  return { ok: false, python: null, version: null, torch: null, devices: [], tried, advice: installAdvice(options.platform) };
}

/**
 * Checks the Settings screen's interpreter before it is ever used: an absolute path to an executable file, which
 * runs as Python and imports torch. Throws a StudioError that names the path and what to do.
 */
export async function validatePythonSetting(value: string, options: ValidationOptions = {}): Promise<void> {
  if (!value) return;
  const file = value.trim();
  if (!path.isAbsolute(file)) throw refusal('invalid-settings', 'python.notAbsolute', { value }, { file: value });
  let stat;
  try {
    stat = statSync(file);
  } catch {
    throw refusal('invalid-settings', 'python.missing', { file }, { file });
  }
  if (!stat.isFile()) throw refusal('invalid-settings', 'python.notAProgram', { file, fileKind: fileKind(stat) }, { file });
  if ((options.platform ?? process.platform) !== 'win32') {
    try {
      accessSync(file, constants.X_OK);
    } catch {
      throw refusal('invalid-settings', 'python.notExecutable', { file }, { file });
    }
  }
  if (!isPythonName(file)) throw refusal('invalid-settings', 'python.notPythonNamed', { file, name: path.basename(file) }, { file });
  const discover = options.discover ?? ((setting: string) => discoverPython({ setting, timeoutMs: options.timeoutMs }));
  // the setting is the first candidate; a broken one may be followed by others, which do not make it usable
  const problem = (await discover(file)).tried[0]?.problem;
  if (problem) throw refusal('invalid-settings', 'python.cannotTrain', { file, problem }, { file });
}

export interface ValidationOptions {
  timeoutMs?: number;
  platform?: NodeJS.Platform;
  /** How the setting is probed; the training service passes its own, so the check is the probe training then uses. */
  discover?: (setting: string) => Promise<PythonInfo>;
}
