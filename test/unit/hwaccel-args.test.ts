/**
 * ffmpeg argument builders per method, against known-good command lines (the VAAPI/QSV
 * shapes follow Jellyfin's EncodingHelper; see daemon/media/hwaccel/hw-args.ts).
 */
import t from 'tap';
import { buildTrialArgs, buildVaapiInitArgs, buildVideoEncode, type VideoEncodeSpec } from '../../daemon/media/hwaccel/hw-args.js';

const base: VideoEncodeSpec = { method: 'none', hwDecode: false, width: 1280, height: 720, bitrate: 4_000_000, toneMap: false, lowPower: false, preset: 'veryfast' };
const RATE = ['-b:v', '4000k', '-maxrate', '4000k', '-bufsize', '8000k'];

const table: Array<{ name: string; spec: Partial<VideoEncodeSpec>; cmd: string }> = [
  { name: 'software', spec: {}, cmd: '| scale=1280:720,format=yuv420p | -c:v libx264 -preset veryfast -profile:v high -level 4.1' },
  { name: 'software + tone map', spec: { toneMap: true },
    cmd: '| zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,scale=1280:720,format=yuv420p | -c:v libx264 -preset veryfast -profile:v high -level 4.1' },
  { name: 'vaapi full hardware', spec: { method: 'vaapi', hwDecode: true },
    cmd: '-init_hw_device vaapi=va:/dev/dri/renderD128 -filter_hw_device va -hwaccel vaapi -hwaccel_output_format vaapi -hwaccel_device va | scale_vaapi=w=1280:h=720:format=nv12 | -c:v h264_vaapi' },
  { name: 'vaapi software decode, low power, other node', spec: { method: 'vaapi', device: '/dev/dri/renderD129', lowPower: true },
    cmd: '-init_hw_device vaapi=va:/dev/dri/renderD129 -filter_hw_device va | format=nv12,hwupload,scale_vaapi=w=1280:h=720:format=nv12 | -c:v h264_vaapi -low_power 1' },
  { name: 'vaapi tone map', spec: { method: 'vaapi', hwDecode: true, toneMap: true },
    cmd: '-init_hw_device vaapi=va:/dev/dri/renderD128 -filter_hw_device va -hwaccel vaapi -hwaccel_output_format vaapi -hwaccel_device va | tonemap_vaapi=format=nv12:p=bt709:t=bt709:m=bt709,scale_vaapi=w=1280:h=720 | -c:v h264_vaapi' },
  { name: 'vaapi with burned-in subtitles decodes in software', spec: { method: 'vaapi', hwDecode: true, preFilters: ['subtitles=filename=/x.ass'] },
    cmd: '-init_hw_device vaapi=va:/dev/dri/renderD128 -filter_hw_device va | subtitles=filename=/x.ass,format=nv12,hwupload,scale_vaapi=w=1280:h=720:format=nv12 | -c:v h264_vaapi' },
  { name: 'qsv full hardware', spec: { method: 'qsv', hwDecode: true },
    cmd: '-init_hw_device vaapi=va:/dev/dri/renderD128 -init_hw_device qsv=qs@va -filter_hw_device qs -hwaccel qsv -hwaccel_output_format qsv | scale_qsv=w=1280:h=720:format=nv12 | -c:v h264_qsv -preset veryfast -look_ahead 0' },
  { name: 'qsv software decode low power', spec: { method: 'qsv', lowPower: true },
    cmd: '-init_hw_device vaapi=va:/dev/dri/renderD128 -init_hw_device qsv=qs@va -filter_hw_device qs | format=nv12,hwupload=extra_hw_frames=64,scale_qsv=w=1280:h=720:format=nv12 | -c:v h264_qsv -preset veryfast -look_ahead 0 -low_power 1' },
  { name: 'nvenc', spec: { method: 'nvenc', hwDecode: true },
    cmd: '-hwaccel cuda -hwaccel_device 0 | scale=1280:720,format=yuv420p | -c:v h264_nvenc -gpu 0 -preset p4 -tune ll' },
  { name: 'nvenc second gpu, software decode', spec: { method: 'nvenc', device: '1' },
    cmd: '| scale=1280:720,format=yuv420p | -c:v h264_nvenc -gpu 1 -preset p4 -tune ll' },
  { name: 'v4l2m2m', spec: { method: 'v4l2m2m', hwDecode: true },
    cmd: '| scale=1280:720,format=yuv420p | -c:v h264_v4l2m2m' },
];

for (const row of table) {
  t.test(row.name, async (t) => {
    const sut = buildVideoEncode({ ...base, ...row.spec });
    const [input, filter, encoder] = row.cmd.split('|').map((s) => s.trim());
    t.same(sut.input, input ? input.split(' ') : [], 'input args');
    t.equal(sut.filter, filter, 'filter chain');
    t.same(sut.encoder, [...encoder.split(' '), ...RATE], 'encoder args');
  });
}

t.test('trial encodes', async (t) => {
  t.equal(buildTrialArgs('vaapi', 'h264_vaapi', '/dev/dri/renderD128').join(' '),
    '-hide_banner -v verbose -nostdin -init_hw_device vaapi=va:/dev/dri/renderD128 -filter_hw_device va -f lavfi -i testsrc2=size=1280x720:rate=30 -t 1 -vf format=nv12,hwupload -c:v h264_vaapi -b:v 2000k -f null -');
  t.equal(buildTrialArgs('qsv', 'h264_qsv').join(' '),
    '-hide_banner -v verbose -nostdin -init_hw_device vaapi=va:/dev/dri/renderD128 -init_hw_device qsv=qs@va -filter_hw_device qs -f lavfi -i testsrc2=size=1280x720:rate=30 -t 1 -vf format=nv12,hwupload=extra_hw_frames=64 -c:v h264_qsv -b:v 2000k -f null -');
  t.equal(buildTrialArgs('nvenc', 'h264_nvenc').join(' '),
    '-hide_banner -v verbose -nostdin -f lavfi -i testsrc2=size=1280x720:rate=30 -t 1 -pix_fmt yuv420p -c:v h264_nvenc -b:v 2000k -f null -');
  t.equal(buildTrialArgs('v4l2m2m', 'h264_v4l2m2m').join(' '),
    '-hide_banner -v verbose -nostdin -f lavfi -i testsrc2=size=1280x720:rate=30 -t 1 -pix_fmt yuv420p -c:v h264_v4l2m2m -b:v 2000k -f null -');
  t.same(buildVaapiInitArgs('/dev/dri/renderD128').slice(4, 6), ['-init_hw_device', 'vaapi=va:/dev/dri/renderD128']);
});
