/** Which ffmpeg/ffprobe the daemon uses, as reported by /api/server and /api/hardware. */
export interface ToolReport { path: string; version: string; source: string }
export interface MediaToolsInfo { ffmpeg: ToolReport; ffprobe: ToolReport }
