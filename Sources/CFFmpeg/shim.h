#ifndef EXHIBIT_CFFmpeg_SHIM_H
#define EXHIBIT_CFFmpeg_SHIM_H
// FFmpeg (Debian libav*): demux, decode and scale video frames to grey for per-frame PDQ.
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/imgutils.h>
#include <libavutil/error.h>
static inline int exhibit_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int exhibit_averror_eof(void) { return AVERROR_EOF; }
#endif
