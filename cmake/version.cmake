# The one version, from git (#14.8): the newest release tag vX.Y.Z reachable
# from HEAD (or MISATO_VERSION_FALLBACK when there is none yet), then, unless
# HEAD is that tag, "+<commits in HEAD's history>.g<short commit>", and
# ".dirty<UTC time>" for uncommitted changes. The count is of all of HEAD's
# history, not since the tag, so every later commit makes a greater Debian
# version and a rebuilt package installs over the one before:
#   0.1.0+61.g1df103e  <  0.1.0+62.g8c0ffee  <  0.2.0 (tag)  <  0.2.0+63.g...
# Sets MISATO_VERSION (the Debian version), MISATO_VERSION_BASE (X.Y.Z, for
# project()), MISATO_COMMIT (full hash, "-dirty" when modified) and
# MISATO_COMMIT_DATE (RFC 2822, for the changelog) and MISATO_COMMIT_DAY
# (YYYY-MM-DD, for the man page). Without git (a source
# tarball) -DMISATO_VERSION=... may be given; else the fallback is used.
set(MISATO_VERSION_FALLBACK 0.1.0)
find_program(MISATO_GIT git)
set(_src ${CMAKE_CURRENT_LIST_DIR}/..)
if(NOT MISATO_VERSION AND MISATO_GIT AND EXISTS ${_src}/.git)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} rev-parse HEAD
    OUTPUT_VARIABLE MISATO_COMMIT OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE _r)
endif()
if(MISATO_COMMIT)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} describe --tags --abbrev=0 --match "v[0-9]*" HEAD
    OUTPUT_VARIABLE _tag OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} rev-list --count HEAD
    OUTPUT_VARIABLE _count OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} rev-parse --short=7 HEAD
    OUTPUT_VARIABLE _short OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} log -1 --format=%aD HEAD
    OUTPUT_VARIABLE MISATO_COMMIT_DATE OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} log -1 --format=%as HEAD
    OUTPUT_VARIABLE MISATO_COMMIT_DAY OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} status --porcelain --untracked-files=no
    OUTPUT_VARIABLE _dirty OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_tag MATCHES "^v([0-9]+\\.[0-9]+\\.[0-9]+)$")
    set(MISATO_VERSION_BASE ${CMAKE_MATCH_1})
    execute_process(COMMAND ${MISATO_GIT} -C ${_src} rev-list -n1 ${_tag}
      OUTPUT_VARIABLE _tag_commit OUTPUT_STRIP_TRAILING_WHITESPACE)
  else()
    set(MISATO_VERSION_BASE ${MISATO_VERSION_FALLBACK})
    set(_tag_commit "")
  endif()
  if(_tag_commit STREQUAL MISATO_COMMIT)
    set(MISATO_VERSION ${MISATO_VERSION_BASE})
  else()
    set(MISATO_VERSION "${MISATO_VERSION_BASE}+${_count}.g${_short}")
  endif()
  if(_dirty)
    string(TIMESTAMP _now "%Y%m%d%H%M%S" UTC)
    set(MISATO_VERSION "${MISATO_VERSION}.dirty${_now}")
    set(MISATO_COMMIT "${MISATO_COMMIT}-dirty")
  endif()
  # Configure again when HEAD moves (a commit, a checkout), so that --version
  # and the package follow; only the three files that print it recompile.
  execute_process(COMMAND ${MISATO_GIT} -C ${_src} rev-parse --absolute-git-dir
    OUTPUT_VARIABLE _gitdir OUTPUT_STRIP_TRAILING_WHITESPACE)
  foreach(_f HEAD logs/HEAD)
    if(EXISTS ${_gitdir}/${_f})
      set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_gitdir}/${_f})
    endif()
  endforeach()
else()
  if(NOT MISATO_VERSION)
    set(MISATO_VERSION ${MISATO_VERSION_FALLBACK})
  endif()
  string(REGEX MATCH "^[0-9]+\\.[0-9]+\\.[0-9]+" MISATO_VERSION_BASE "${MISATO_VERSION}")
  set(MISATO_COMMIT unknown)
  string(TIMESTAMP MISATO_COMMIT_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
  string(TIMESTAMP MISATO_COMMIT_DAY "%Y-%m-%d" UTC)
endif()
message(STATUS "misato-signage version ${MISATO_VERSION} (commit ${MISATO_COMMIT})")
