/** The canvas's one edge type: the route around other items (graph.ts), or a step edge for large labs. */
import { BaseEdge, getSmoothStepPath, type EdgeProps, type EdgeTypes } from '@xyflow/react';
import { memo } from 'react';
import type { LabFlowEdge } from './graph';
import { midpoint, roundedPath } from './route';

export const RoutedEdge = memo(function RoutedEdge(props: EdgeProps<LabFlowEdge>) {
  const { sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, label, style, markerEnd, interactionWidth } = props;
  const points = data?.points;
  let path: string;
  let labelAt: { x: number; y: number };
  if (points && points.length >= 2) {
    // The route was found from the items' boxes; its ends are React Flow's own dot positions,
    // which sit a few pixels off the boxes' edges and centres. The first and last legs are
    // vertical: their bends move onto the dots' x so that they stay so.
    const ends = [{ x: sourceX, y: sourceY }, ...points.slice(1, -1).map((p) => ({ ...p })), { x: targetX, y: targetY }];
    const [first, last] = [points[0]!, points[points.length - 1]!];
    if (ends.length > 2) {
      if (points[1]!.x === first.x) ends[1]!.x = sourceX;
      if (points[points.length - 2]!.x === last.x) ends[ends.length - 2]!.x = targetX;
    }
    path = roundedPath(ends);
    labelAt = midpoint(ends);
  } else {
    const [d, x, y] = getSmoothStepPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
    path = d;
    labelAt = { x, y };
  }
  return (
    <BaseEdge
      path={path}
      label={label}
      labelX={labelAt.x}
      labelY={labelAt.y}
      style={style}
      markerEnd={markerEnd}
      {...(interactionWidth !== undefined ? { interactionWidth } : {})}
    />
  );
});

/** Registered once, outside any component, so React Flow never sees a new map. */
export const edgeTypes: EdgeTypes = { routed: RoutedEdge as EdgeTypes[string] };
