# Embeds the viewer's page (viewer.html with viewer.css and viewer.js inlined where the
# placeholders are) into a C++ header as one raw string, at build time.
# Usage: cmake -DDIR=<viewer dir> -DOUT=<header> -P embed.cmake
file(READ ${DIR}/viewer.html html)
file(READ ${DIR}/viewer.css css)
file(READ ${DIR}/viewer.js js)
string(REPLACE "/*ORRERY_CSS*/" "${css}" html "${html}")
string(REPLACE "/*ORRERY_JS*/" "${js}" html "${html}")
string(FIND "${html}" ")ORRERY_PAGE\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "the viewer's sources contain the raw-string delimiter")
endif()
file(WRITE ${OUT}.tmp "// Generated from trace/viewer/ by trace/embed.cmake. Do not edit.\n#pragma once\nnamespace orrery::trace {\ninline constexpr const char* kViewerPage = R\"ORRERY_PAGE(${html})ORRERY_PAGE\";\n}\n")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
