import { render } from 'preact';
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { App } from './app';
import { startLive } from './lib/live';

startLive();
render(<App />, document.getElementById('app')!);
