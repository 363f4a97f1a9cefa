/**
 * Direct play, remux or transcode: the decision for one file and one client. Pure.
 *
 *   direct play  the client gets the file as is (/api/stream/:fileId, Range requests);
 *   remux        every video stream is playable but the container (or only the audio) is
 *                not: HLS with the video copied, audio copied or re-encoded to AAC;
 *   transcode    the video itself must be re-encoded (codec, size, bitrate, HDR, depth).
 *
 * Every reason that pushed the decision away from direct play is listed, machine-readable
 * (`code`) and human-readable (`message`), so clients and admins can see why.
 */
import type { ProbeInfo } from '../../domain/types.js';
import type { ClientCapabilities } from './client-profiles.js';

export type PlaybackMethod = 'direct' | 'remux' | 'transcode';

export type DecisionReasonCode =
  | 'CONTAINER_NOT_SUPPORTED' | 'VIDEO_CODEC_NOT_SUPPORTED' | 'AUDIO_CODEC_NOT_SUPPORTED'
  | 'AUDIO_CHANNELS_EXCEED_MAX' | 'RESOLUTION_EXCEEDS_MAX' | 'BITRATE_EXCEEDS_MAX'
  | 'HDR_NOT_SUPPORTED' | 'BIT_DEPTH_NOT_SUPPORTED' | 'NOT_PROBED';

export interface DecisionReason { code: DecisionReasonCode; message: string }

export interface PlaybackDecision {
  method: PlaybackMethod;
  video: 'copy' | 'transcode' | 'none';
  audio: 'copy' | 'transcode' | 'none';
  /** Tone mapping needed (HDR source, SDR client). */
  toneMap: boolean;
  reasons: DecisionReason[];
}

export function decidePlayback(container: string, probe: ProbeInfo | undefined, caps: ClientCapabilities, audioIndex?: number): PlaybackDecision {
  const reasons: DecisionReason[] = [];
  if (!probe) {
    // Without a probe nothing is known: transcoding is the answer that always plays.
    return { method: 'transcode', video: 'transcode', audio: 'transcode', toneMap: false, reasons: [{ code: 'NOT_PROBED', message: 'The file has not been probed yet' }] };
  }
  const v = probe.video?.[0];
  const a = (audioIndex !== undefined ? probe.audio?.find((s) => s.index === audioIndex) : undefined)
    ?? probe.audio?.find((s) => s.default) ?? probe.audio?.[0];
  let videoOk = true;
  let toneMap = false;
  if (v) {
    if (!caps.videoCodecs.includes(v.codec)) {
      videoOk = false;
      reasons.push({ code: 'VIDEO_CODEC_NOT_SUPPORTED', message: `Video codec ${v.codec} is not supported by the client` });
    }
    const tooWide = caps.maxWidth !== undefined && v.width > caps.maxWidth;
    const tooHigh = caps.maxHeight !== undefined && v.height > caps.maxHeight;
    if (tooWide || tooHigh) {
      videoOk = false;
      reasons.push({ code: 'RESOLUTION_EXCEEDS_MAX', message: `Resolution ${v.width}x${v.height} exceeds the client's ${caps.maxWidth ?? '∞'}x${caps.maxHeight ?? '∞'}` });
    }
    const bitrate = probe.bitRate ?? v.bitRate;
    if (caps.maxBitrate !== undefined && bitrate !== undefined && bitrate > caps.maxBitrate) {
      videoOk = false;
      reasons.push({ code: 'BITRATE_EXCEEDS_MAX', message: `Bitrate ${bitrate} b/s exceeds the client's ${caps.maxBitrate} b/s` });
    }
    if (v.hdr && !caps.hdr) {
      videoOk = false;
      toneMap = true;
      reasons.push({ code: 'HDR_NOT_SUPPORTED', message: `The video is ${v.hdr}; the client shows SDR only (tone mapping)` });
    }
    if ((v.bitDepth ?? 8) > caps.maxBitDepth) {
      videoOk = false;
      reasons.push({ code: 'BIT_DEPTH_NOT_SUPPORTED', message: `${v.bitDepth}-bit video; the client decodes up to ${caps.maxBitDepth}-bit` });
    }
  }
  let audioOk = true;
  if (a) {
    if (!caps.audioCodecs.includes(a.codec)) {
      audioOk = false;
      reasons.push({ code: 'AUDIO_CODEC_NOT_SUPPORTED', message: `Audio codec ${a.codec} is not supported by the client` });
    }
    if (caps.maxAudioChannels !== undefined && (a.channels ?? 2) > caps.maxAudioChannels) {
      audioOk = false;
      reasons.push({ code: 'AUDIO_CHANNELS_EXCEED_MAX', message: `${a.channels} audio channels; the client takes up to ${caps.maxAudioChannels}` });
    }
  }
  // A non-default audio track cannot be chosen in direct play by every client; a player
  // that asked for a specific track gets it through HLS when it is not the first one.
  const containerOk = caps.containers.includes(container);
  if (!containerOk) reasons.push({ code: 'CONTAINER_NOT_SUPPORTED', message: `Container ${container} is not supported by the client` });

  const video = v ? (videoOk ? 'copy' : 'transcode') : 'none';
  const audio = a ? (audioOk ? 'copy' : 'transcode') : 'none';
  const method: PlaybackMethod = !videoOk ? 'transcode' : (!containerOk || !audioOk) ? 'remux' : 'direct';
  return { method, video, audio, toneMap, reasons };
}
