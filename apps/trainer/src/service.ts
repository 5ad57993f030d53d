import { StartTrainingRequest, TrainerServiceService } from '@fmwiss/contracts';
import { decodeImageMessage, encodeLabelMapMessage } from '@fmwiss/message-codecs';
import { InternalError, InvalidArgumentError, type ServiceHandlers } from '@fmwiss/service-kit';
import { requestFingerprint, type InferencePool, type JobManager, type StepValidation } from '@fmwiss/training-jobs';
import type { TrainerConfig } from './config';
import { checkMapEncoding, classSpecs, evaluateTaskOf, evaluationResult, headOf, probabilitiesTensor } from './requests/inference';
import { requireCheckpoint } from './requests/fields';
import { jobIdOf, workOfRequest } from './requests/start-training';

export interface TrainerParts {
  jobs: JobManager;
  inference: InferencePool;
  validation: StepValidation;
  config: TrainerConfig;
}

const requireJobId = (jobId: string): string => {
  if (jobId === '') throw new InvalidArgumentError('job_id is empty');
  return jobId;
};

/** The gRPC adapter of TrainerService: request checks and message plumbing; jobs and inference live in @fmwiss/training-jobs. */
export function trainerHandlers(parts: TrainerParts): ServiceHandlers<typeof TrainerServiceService> {
  const { jobs, inference, validation, config } = parts;
  return {
    startTraining: async (request, ctx) => {
      const jobId = jobIdOf(request);
      const keyed: StartTrainingRequest = { ...request, jobId };
      const fingerprint = requestFingerprint(keyed);
      // Same job id and same request: the job as it is, whatever the files say now.
      const existing = jobs.existing(jobId, fingerprint);
      if (existing) return existing;
      const work = await workOfRequest(keyed, validation);
      const { kind, model } = work.spec;
      const effectiveModel = kind === 'base' || kind === 'joint' ? validation.resolveStepModel(model) : undefined;
      const { job, created } = jobs.start({ jobId, request: keyed, work, ...(effectiveModel ? { effectiveModel } : {}) }, fingerprint);
      ctx.logger.info({ jobId, created }, created ? 'training job accepted' : 'training job already exists');
      return job;
    },

    watchTraining: async (request, ctx, send) => {
      const subscription = jobs.watch(requireJobId(request.jobId), request.afterSequence);
      const stop = () => subscription.close();
      ctx.signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const event of subscription.events) await send(event);
      } finally {
        ctx.signal.removeEventListener('abort', stop);
        subscription.close();
      }
    },

    getTraining: async (request) => jobs.get(requireJobId(request.jobId)),

    cancelTraining: async (request, ctx) => {
      const job = jobs.cancel(requireJobId(request.jobId));
      ctx.logger.info({ jobId: job.jobId }, 'cancellation requested');
      return job;
    },

    evaluate: async (request, ctx, send) => {
      const task = evaluateTaskOf(request);
      const progress: Promise<void>[] = [];
      const summary = await inference.evaluate(
        task,
        (imagesDone, imagesTotal) => {
          progress.push(send({ item: { $case: 'progress', progress: { imagesDone, imagesTotal } } }).catch(() => undefined));
        },
        ctx.signal,
      );
      await Promise.all(progress);
      await send({ item: { $case: 'result', result: evaluationResult(summary) } });
    },

    predict: async (request, ctx) => {
      const checkpoint = requireCheckpoint(request.checkpoint, 'checkpoint');
      const encoding = checkMapEncoding(request.encoding, 'encoding');
      const head = headOf(request.head);
      const image = await decodeImageMessage(request.image, { maxPixels: config.maxImagePixels });
      const output = await inference.predict({ checkpoint, image, head, includeProbabilities: request.includeProbabilities }, ctx.signal);
      const { labels } = output;
      if (labels.width !== image.width || labels.height !== image.height) {
        throw new InternalError(`the prediction is ${labels.width}x${labels.height}, the image ${image.width}x${image.height}`);
      }
      let probabilities;
      if (request.includeProbabilities) {
        if (!output.probabilities) throw new InternalError('the model returned no probabilities');
        probabilities = probabilitiesTensor(output.probabilities, output.classes.length, image.height, image.width, encoding);
      }
      return { labels: encodeLabelMapMessage(labels), classes: classSpecs(output.classes), probabilities };
    },
  };
}
