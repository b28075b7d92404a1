// Placeholder translation unit so the library has a source before the
// snapshot parser lands; replaced by snapshot_parser.cc.
namespace archway::config {}
