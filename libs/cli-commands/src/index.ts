// @fmwiss/cli-commands: the fmwiss command line (demo, run, serve, eval, predict, ablate). The app
// apps/fmwiss only calls runCli; every command's logic, and the seams tests use, live here.
export { runCli, topLevelHelp, COMMANDS } from './cli';
export { CapturedOutput, type CliIo, type OutputStream } from './cli-io';
export { commandHelp, parseCommandArgs, shortUsage, type CommandInfo } from './command-args';
export { defaultDeps, type CommandDeps } from './deps';
export { ExitCode, EXIT_CODES_HELP, InterruptedError, ServiceStartError, UsageError } from './exit-codes';
export { DEMO_PRESET, PRESETS, presetKnobs, type TrainingPreset } from './presets';
export { ProgressBoard, ttyFrame, type ProgressBoardOptions } from './progress-board';
export { applyRun, applyRunEvent, initialRunProgress, renderRunLine, type RunProgress } from './run-progress';
export { childProcessLauncher, type LaunchedService, type ServiceLauncher, type ServiceSpec } from './service-launcher';
export { SERVICE_NAMES, findWorkspaceRoot, type ServiceName } from './workspace';
export { demoPlans, DEMO_INFO } from './commands/demo';
export { ablationVariants, ABLATION_SETS, DEFAULT_VARIANT, type AblationVariant } from './ablation';
