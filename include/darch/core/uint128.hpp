// SPDX-License-Identifier: MIT
/// @file
/// Defines `darch::uint128`, the type of exact space sizes (`space_size_wide<S>`,
/// `space_ref::size_wide()`): spaces of more than 2^64 architectures are common (a DAG cell
/// repeated a few times), and their sizes are still exact up to 2^128 - 1, where they saturate.
#pragma once

namespace darch {

/// An unsigned 128-bit integer (GCC's and Clang's `unsigned __int128`; `__extension__` keeps
/// `-Wpedantic` quiet about it).
__extension__ typedef unsigned __int128 uint128;

}  // namespace darch
